import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
} from '../helpers/index.js';
import { connectWs } from '../vitals/ws-client.js';
import { loadRecord, seedBatch } from './ecg12-stream.js';

const url = process.env.DATABASE_URL;

/**
 * PostgreSQL, two app instances on one schema (a deployment behind a load balancer): a 12-lead
 * packet (seed 004's batch, 1 s of PTB-XL ecg_id 177) ingested on one reaches a doctor's WebSocket
 * on the other with all 12 leads and every sample. Its vitals event is ~50 kB, above NOTIFY's
 * 8000-byte payload: it travels as parts and is put back together whole.
 */
describe.skipIf(url === undefined)('12-lead packets across instances (PostgreSQL)', () => {
  let a: TestApp;
  let b: TestApp;
  const schema = `vigil_fan12_${randomBytes(5).toString('hex')}`;
  beforeAll(async () => {
    // One JWT secret, as instances of one deployment share it: a token of A works on B.
    const env = { JWT_SECRET: randomBytes(32).toString('hex') };
    a = await createTestApp({
      env,
      database: { pgSchema: schema, dropSchemaOnClose: false, maxConnections: 3 },
    });
    b = await createTestApp({
      env,
      database: { pgSchema: schema, dropSchemaOnClose: true, maxConnections: 3 },
    });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('a 12-lead packet ingested on one instance reaches a WebSocket on the other with all 12 leads', async () => {
    const admin = await createAdmin(a);
    const doctor = await createDoctor(a, admin);
    const patient = await createPatient(a, doctor, 'MI patient');
    const { api_key } = await registerDevice(a, doctor, {
      deviceId: 'ECG12-FAN',
      patientId: patient.user.id,
    });
    const ws = await connectWs(b.app, `?token=${doctor.token}`);
    try {
      const record = loadRecord('PTBXL00177');
      const batch = seedBatch(record, 1000, 1500);
      const res = await a.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': api_key },
        payload: { device_id: 'ECG12-FAN', timestamp: a.clock.now() - 5000, batch },
      });
      expect(res.statusCode).toBe(201);
      const m = await ws.next((x) => x.type === 'vitals');
      const leads = m.data?.leads as { names: string[]; samples_mv: number[][] };
      expect(leads.names).toEqual([
        'I',
        'II',
        'III',
        'aVR',
        'aVL',
        'aVF',
        'V1',
        'V2',
        'V3',
        'V4',
        'V5',
        'V6',
      ]);
      expect(leads.samples_mv.map((l) => l.length)).toEqual(new Array<number>(12).fill(500));
      // Every sample as sent: lead l of sample i is `lead${l + 1}` of the batch.
      leads.samples_mv.forEach((lead, l) => {
        expect(lead).toEqual(batch.map((s) => s[`lead${String(l + 1)}`]));
      });
      const ecg = m.data?.ecg as { fs: number; samples_mv: number[] };
      expect(ecg.fs).toBe(500);
      expect(ecg.samples_mv).toHaveLength(500);
      // The event was above one NOTIFY payload: this test covers the split path.
      expect(JSON.stringify(m).length).toBeGreaterThan(8000);
    } finally {
      ws.close();
    }
  });
});
