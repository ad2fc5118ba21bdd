import { afterEach, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  login,
  TEST_PASSWORD,
  type TestApp,
} from '../helpers/index.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('user management', () => {
  it('lists a doctor only their own patients, and an admin all of them', async () => {
    const app = await createTestApp();
    t = app;
    const admin = await createAdmin(t);
    const docA = await createDoctor(t, admin);
    const docB = await createDoctor(t, admin);
    const a1 = await createPatient(t, docA, 'A one');
    t.clock.advance(1);
    const a2 = await createPatient(t, docA, 'A two');
    const b1 = await createPatient(t, docB, 'B one');
    const names = async (headers: { authorization: string }, query = '') =>
      (await app.app.inject({ url: `/api/v1/users/patients${query}`, headers }))
        .json<{ name: string }[]>()
        .map((u) => u.name);
    expect(await names(docA.headers)).toEqual(['A one', 'A two']);
    expect(await names(docB.headers)).toEqual(['B one']);
    expect((await names(admin.headers)).sort()).toEqual(['A one', 'A two', 'B one']);
    expect(await names(docA.headers, '?limit=1&offset=1')).toEqual(['A two']);
    expect([a1.user.doctor_id, a2.user.doctor_id, b1.user.doctor_id]).toEqual([
      docA.user.id,
      docA.user.id,
      docB.user.id,
    ]);
  });

  it('lists at GET /users the users each role may see, of one role when asked', async () => {
    const app = await createTestApp();
    t = app;
    // One clock tick between accounts: the list is ordered by creation time.
    const admin = await createAdmin(t);
    app.clock.advance(1);
    const docA = await createDoctor(t, admin);
    app.clock.advance(1);
    const docB = await createDoctor(t, admin);
    app.clock.advance(1);
    const a1 = await createPatient(t, docA, 'A one');
    await createPatient(t, docB, 'B one');
    const ids = async (headers: { authorization: string }, query = '') => {
      const response = await app.app.inject({ url: `/api/v1/users${query}`, headers });
      expect(response.statusCode).toBe(200);
      return response.json<{ id: string; password_hash?: unknown }[]>().map((u) => {
        expect(u.password_hash).toBeUndefined();
        return u.id;
      });
    };
    expect((await ids(admin.headers)).length).toBe(5);
    expect(await ids(admin.headers, '?role=doctor')).toEqual([docA.user.id, docB.user.id]);
    expect(await ids(docA.headers)).toEqual([docA.user.id, a1.user.id]);
    expect(await ids(docA.headers, '?role=patient')).toEqual([a1.user.id]);
    expect(await ids(docA.headers, '?role=admin')).toEqual([]);
    expect(await ids(a1.headers)).toEqual([a1.user.id]);
    const bad = await app.app.inject({ url: '/api/v1/users?role=nurse', headers: admin.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'role' });
  });

  it('lets a doctor create a patient who then belongs to them and can sign in', async () => {
    t = await createTestApp();
    const doctor = await createDoctor(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: doctor.headers,
      payload: { email: 'new.patient@example.test', password: TEST_PASSWORD, name: 'New' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ role: 'patient', doctor_id: doctor.user.id });
    expect((await login(t, 'new.patient@example.test')).status).toBe(200);
  });

  it('changes a password so that only the new one signs in', async () => {
    t = await createTestApp();
    const doctor = await createDoctor(t);
    const patient = await createPatient(t, doctor);
    const response = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${patient.user.id}`,
      headers: doctor.headers,
      payload: { password: 'a-new-secret-2' },
    });
    expect(response.statusCode).toBe(200);
    expect((await login(t, patient.email)).status).toBe(401);
    expect((await login(t, patient.email, 'a-new-secret-2')).status).toBe(200);
    // Sessions opened with the old password end.
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: patient.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it('refuses to move a user onto an email that is taken', async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    const d1 = await createDoctor(t, admin);
    const d2 = await createDoctor(t, admin);
    const response = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${d1.user.id}`,
      headers: admin.headers,
      payload: { email: d2.email.toUpperCase() },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'EMAIL_TAKEN', field: 'email' });
  });

  it('promotes a doctor to admin, effective on their next request', async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    const doctor = await createDoctor(t, admin);
    const before = await t.app.inject({ url: '/api/v1/users/admins', headers: doctor.headers });
    expect(before.statusCode).toBe(403);
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${doctor.user.id}`,
      headers: admin.headers,
      payload: { role: 'admin' },
    });
    const after = await t.app.inject({ url: '/api/v1/users/admins', headers: doctor.headers });
    expect(after.statusCode).toBe(200);
  });

  it("keeps a deleted doctor's patients, without a doctor", async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    const doctor = await createDoctor(t, admin);
    const patient = await createPatient(t, doctor);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${doctor.user.id}`,
      headers: admin.headers,
    });
    expect(deleted.statusCode).toBe(204);
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: patient.headers });
    expect(me.json()).toMatchObject({ id: patient.user.id, doctor_id: null });
  });

  it('refuses an admin deleting themself with CANNOT_DELETE_SELF', async () => {
    t = await createTestApp();
    const admin = await createAdmin(t);
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${admin.user.id}`,
      headers: admin.headers,
    });
    expect(response.json()).toMatchObject({ code: 'CANNOT_DELETE_SELF', statusCode: 403 });
  });
});

describe('admin bootstrap', () => {
  it('creates the configured admin at start-up, who can sign in', async () => {
    t = await createTestApp({
      env: { ADMIN_EMAIL: 'Root@Example.test', ADMIN_PASSWORD: 'bootstrap-pass-1' },
    });
    expect(t.container.adminBootstrap).toEqual({
      email: 'root@example.test',
      generatedPassword: undefined,
      created: true,
    });
    const { status, body } = await login(t, 'root@example.test', 'bootstrap-pass-1');
    expect(status).toBe(200);
    expect(body.user.role).toBe('admin');
    expect(
      await t.container.services.auth.bootstrapAdmin('root@example.test', 'other-pass-2'),
    ).toBe('exists');
  });

  it('refuses to start with a weak ADMIN_PASSWORD', async () => {
    await expect(
      createTestApp({ env: { ADMIN_EMAIL: 'root@example.test', ADMIN_PASSWORD: 'admin' } }),
    ).rejects.toThrow(/ADMIN_PASSWORD must be at least 8 characters/);
  });
});
