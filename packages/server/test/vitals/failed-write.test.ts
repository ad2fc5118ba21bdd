import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMonitoredPatient,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post, syntheticPackets } from './packets.js';

describe('a packet whose write fails', () => {
  let t: TestApp;
  let doctor: TestUser;
  let key: string;
  let otherKey: string;
  const deviceId = 'ESP32-FAILWRITE';
  let start: number;

  beforeAll(async () => {
    t = await createTestApp();
    const clinic = await createMonitoredPatient(t, deviceId);
    ({ doctor, key } = clinic);
    otherKey = (
      await registerDevice(t, doctor, { patientId: clinic.patient.user.id, deviceId: 'ESP32-SEQ' })
    ).api_key;
    start = t.clock.now() - 10 * 60_000;
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a sequence beyond 2^53 - 1 with 400 naming it, on either database', async () => {
    const [p] = syntheticPackets('ESP32-SEQ', 70, 1, start);
    for (const sequence of [2 ** 63, 2 ** 53]) {
      const res = await post(t, otherKey, { ...p, sequence });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'sequence' });
    }
    const ok = await post(t, otherKey, { ...p, sequence: Number.MAX_SAFE_INTEGER });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ sequence: Number.MAX_SAFE_INTEGER });
  });

  it('leaves nothing queued: the next valid packet is stored with its prediction', async () => {
    const [p0, p1, p2] = syntheticPackets(deviceId, 70, 3, start);
    if (p0 === undefined || p1 === undefined || p2 === undefined) throw new Error('no packets');
    expect((await post(t, key, p0)).statusCode).toBe(201);

    // p2 leaves a gap (p1 not yet sent), so the orderer holds it for analysis; its write fails.
    const vitals = t.container.repositories.vitals;
    const writeUnits = vitals.writeUnits.bind(vitals);
    vitals.writeUnits = () => Promise.reject(new Error('disk on fire'));
    try {
      expect((await post(t, key, p2)).statusCode).toBe(500);
    } finally {
      vitals.writeUnits = writeUnits;
    }

    // p1 fills the gap: it must not drag the never-stored p2 (and its prediction) along.
    const res = await post(t, key, p1);
    expect(res.statusCode).toBe(201);
    const latest = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(latest.statusCode).toBe(200);
    expect(latest.json()).toMatchObject({ timestamp: p1.timestamp });
    // No prediction of a packet that was never stored.
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from predictions p
      where not exists (select 1 from vitals v where v.id = p.vitals_id)`.execute(
      t.container.database.db,
    );
    expect(Number(rows[0]?.n)).toBe(0);
    // The device's retry of p2 is stored and analysed in order (not as a late packet).
    expect((await post(t, key, p2)).statusCode).toBe(201);
    const after = await t.app.inject({
      url: `/api/v1/predictions/${deviceId}/latest`,
      headers: doctor.headers,
    });
    expect(after.json()).toMatchObject({ timestamp: p2.timestamp });
    const reasons = after.json<{ reasons: { code: string }[] }>().reasons.map((r) => r.code);
    expect(reasons).not.toContain('LATE_PACKET');
  });
});
