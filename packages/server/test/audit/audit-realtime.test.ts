import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../../src/repositories/audit.repository.js';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { connectWs } from '../vitals/ws-client.js';

/**
 * Live streams on the audit trail: a WebSocket that may receive a patient's live data writes a
 * `realtime.subscribe` read event for that patient (one per patient in its scope; an admin's
 * whole-clinic stream one event without a patient), and a refused one a denied event; so does
 * opening an rPPG frame stream. SQLite, and PostgreSQL with DATABASE_URL.
 */
let t: TestApp;
let admin: TestUser;
let docA: TestUser;
let docB: TestUser;
let patA: TestUser;
let patA2: TestUser;

const summary = (events: AuditEventRow[]) =>
  events.map((e) => [e.actor_id, e.actor_kind, e.patient_id, e.status, e.outcome]);

const open = (query: string, path = '/api/v1/ws') => connectWs(t.app, query, path);

describe('audit trail of live streams (WebSocket)', () => {
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
    docA = await createDoctor(t, admin, 'Doctor A');
    docB = await createDoctor(t, admin, 'Doctor B');
    patA = await createPatient(t, docA, 'Patient A');
    patA2 = await createPatient(t, docA, 'Patient A2');
    await createPatient(t, docB, 'Patient B');
  });
  afterAll(async () => {
    await t.close();
  });

  it('records one read event per patient of a doctor’s stream, with where it came from', async () => {
    const c = await open(`?token=${docA.token}`);
    await c.next((m) => m.type === 'ready');
    c.close();
    await t.container.services.audit.flush();
    const events = (
      await t.container.repositories.audit.list(
        { action: 'realtime.subscribe', actorId: docA.user.id },
        100,
      )
    ).sort((a, b) => (a.patient_id ?? '').localeCompare(b.patient_id ?? ''));
    expect(summary(events)).toEqual(
      [patA, patA2]
        .map((p) => p.user.id)
        .sort()
        .map((p) => [docA.user.id, 'doctor', p, 101, 'success']),
    );
    for (const e of events) {
      expect(e.ip).toBe('127.0.0.1');
      expect(e.resource_type).toBe('realtime');
      expect(e.request_id).not.toBeNull();
    }
  });

  it('narrows a stream to one patient (patient_id): one event, and only that patient’s data', async () => {
    const c = await open(`?token=${docA.token}&patient_id=${patA.user.id}`);
    await c.next((m) => m.type === 'ready');
    const hub = t.container.services.realtime;
    for (const p of [patA2, patA])
      hub.publish({
        type: 'vitals',
        patientId: p.user.id,
        deviceId: `DEV-${p.user.name}`,
        data: { device_id: `DEV-${p.user.name}` } as never,
      });
    const first = await c.next((m) => m.type === 'vitals');
    expect(first.data?.device_id).toBe(`DEV-${patA.user.name}`);
    c.close();
    await t.container.services.audit.flush();
    const events = await t.container.repositories.audit.list(
      { action: 'realtime.subscribe', actorId: docA.user.id, patientId: patA.user.id },
      100,
    );
    // One from the first case, one from this one.
    expect(events.length).toBe(2);
    expect(c.messages.filter((m) => m.type === 'vitals').map((m) => m.data?.device_id)).toEqual([
      `DEV-${patA.user.name}`,
    ]);
  });

  it('refuses another doctor’s patient (4404 PATIENT_NOT_FOUND) and records a denied event', async () => {
    const c = await open(`?token=${docB.token}&patient_id=${patA.user.id}`);
    const error = await c.next((m) => m.type === 'error');
    expect(error.code).toBe('PATIENT_NOT_FOUND');
    const code = await new Promise<number>((resolve) => c.ws.once('close', resolve));
    expect(code).toBe(4404);
    await t.container.services.audit.flush();
    const events = await t.container.repositories.audit.list(
      { action: 'realtime.subscribe', actorId: docB.user.id },
      100,
    );
    expect(summary(events)).toEqual([[docB.user.id, 'doctor', patA.user.id, 404, 'denied']]);
  });

  it('records a bad token as an anonymous denied event (401), with the patient asked for', async () => {
    const c = await open(`?token=not-a-token&patient_id=${patA2.user.id}`);
    await c.next((m) => m.type === 'error');
    await t.container.services.audit.flush();
    const events = await t.container.repositories.audit.list(
      { action: 'realtime.subscribe', patientId: patA2.user.id, outcome: 'denied' },
      100,
    );
    expect(summary(events)).toEqual([[null, 'anonymous', patA2.user.id, 401, 'denied']]);
  });

  it('records the opening of an rPPG frame stream (the session’s patient), refused ones too', async () => {
    const session = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rppg/sessions',
      headers: docA.headers,
      payload: { patient_id: patA.user.id },
    });
    expect(session.statusCode, session.body).toBe(201);
    const id = session.json<{ session_id: string }>().session_id;
    const path = `/api/v1/rppg/sessions/${id}/stream`;
    const refused = await open(`?token=${docB.token}`, path);
    await refused.next((m) => m.type === 'error');
    refused.close();
    const ok = await open(`?token=${docA.token}`, path);
    const stream = async () =>
      summary(
        (
          await t.container.repositories.audit.list({ action: 'rppg_session.stream' }, 100)
        ).reverse(),
      );
    // The opening is recorded once the session is checked: wait for it (bounded).
    for (let i = 0; i < 100 && (await stream()).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await t.container.services.audit.flush();
    }
    ok.close();
    expect(await stream()).toEqual([
      [docB.user.id, 'doctor', patA.user.id, 404, 'denied'],
      [docA.user.id, 'doctor', patA.user.id, 101, 'success'],
    ]);
  });

  it('records a patient’s own stream (also on seed 002’s /ws/{user_id}) and an admin’s whole-clinic stream', async () => {
    const own = await open(`?token=${patA.token}`, `/ws/${patA.user.id}`);
    await own.next((m) => m.type === 'ready');
    own.close();
    const all = await open(`?token=${admin.token}`);
    await all.next((m) => m.type === 'ready');
    all.close();
    await t.container.services.audit.flush();
    const of = async (u: TestUser) =>
      summary(
        await t.container.repositories.audit.list(
          { action: 'realtime.subscribe', actorId: u.user.id },
          100,
        ),
      );
    expect(await of(patA)).toEqual([[patA.user.id, 'patient', patA.user.id, 101, 'success']]);
    expect(await of(admin)).toEqual([[admin.user.id, 'admin', null, 101, 'success']]);
  });
});
