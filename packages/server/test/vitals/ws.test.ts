import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post } from './packets.js';
import { connectWs } from './ws-client.js';

describe('WebSocket /api/v1/ws', () => {
  let t: TestApp;
  let logs = '';
  let admin: TestUser;
  let doctor: TestUser;
  let patient: TestUser;
  let otherPatient: TestUser;
  let key: string;
  const deviceId = 'ESP32-WS';

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs += chunk.toString();
        cb();
      },
    });
    t = await createTestApp({ env: { LOG_LEVEL: 'debug' }, logStream });
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
    otherPatient = await createPatient(t, doctor);
    key = (await registerDevice(t, doctor, { patientId: patient.user.id, deviceId })).api_key;
  });
  afterAll(async () => {
    await t.close();
  });

  it('pushes vitals (with the ECG chunk) and predictions to the patient, their doctor and admins only', async () => {
    const clients = await Promise.all(
      [admin, doctor, patient, otherPatient].map((u) => connectWs(t.app, `?token=${u.token}`)),
    );
    await Promise.all(clients.map((c) => c.next((m) => m.type === 'ready')));
    const ts = t.clock.now() - 60_000;
    const samples = Array.from(
      { length: 250 },
      (_, i) => Math.round(Math.sin(i / 4) * 1000) / 1000,
    );
    expect(
      (
        await post(t, key, {
          device_id: deviceId,
          timestamp: ts,
          ecg_samples: samples,
          spo2_percent: 96,
        })
      ).statusCode,
    ).toBe(201);
    const [a, d, p, other] = clients as [
      Awaited<ReturnType<typeof connectWs>>,
      Awaited<ReturnType<typeof connectWs>>,
      Awaited<ReturnType<typeof connectWs>>,
      Awaited<ReturnType<typeof connectWs>>,
    ];
    for (const c of [a, d, p]) {
      const v = await c.next((m) => m.type === 'vitals');
      expect(v.data).toMatchObject({
        device_id: deviceId,
        timestamp: ts,
        spo2_percent: 96,
        ecg: { fs: 250 },
      });
      expect((v.data as { ecg: { samples_mv: number[] } }).ecg.samples_mv).toEqual(samples);
      await c.next((m) => m.type === 'prediction');
    }
    // The live prediction is exactly what the REST API serves for it (same view of the row).
    const live = await a.next((m) => m.type === 'prediction');
    const stored = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(live.data).toEqual(stored.json());
    expect(other.messages.filter((m) => m.type !== 'welcome' && m.type !== 'ready')).toEqual([]);
    for (const c of clients) c.close();
  });

  it('accepts the token as a first auth message and answers pings', async () => {
    const c = await connectWs(t.app, '');
    c.send({ type: 'ping' });
    c.send({ type: 'auth', token: doctor.token });
    await c.next((m) => m.type === 'pong');
    const welcome = await c.next((m) => m.type === 'welcome');
    expect(welcome.user_id).toBe(doctor.user.id);
    c.close();
  });

  it('authenticates by subprotocol (vigil.v1, vigil.bearer.<token>) without echoing the token', async () => {
    const c = await connectWs(t.app, '', '/api/v1/ws', [
      'vigil.v1',
      `vigil.bearer.${doctor.token}`,
    ]);
    const welcome = await c.next((m) => m.type === 'welcome');
    expect(welcome.user_id).toBe(doctor.user.id);
    expect(c.ws.protocol).toBe('vigil.v1');
    c.close();

    const bad = await connectWs(t.app, '', '/api/v1/ws', ['vigil.v1', 'vigil.bearer.not-a-jwt']);
    const code = await new Promise<number>((resolve) =>
      bad.ws.once('close', (n: number) => {
        resolve(n);
      }),
    );
    expect(code).toBe(4401);
  });

  it('closes with 4401 on a bad token', async () => {
    const c = await connectWs(t.app, '?token=not-a-jwt');
    const code = await new Promise<number>((resolve) =>
      c.ws.once('close', (n: number) => {
        resolve(n);
      }),
    );
    expect(code).toBe(4401);
    expect(c.messages[0]).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
  });

  it('never writes the access token of a WebSocket URL to the log', () => {
    expect(logs).toContain('/api/v1/ws?token=[redacted]');
    expect(logs).not.toContain(doctor.token);
  });
});
