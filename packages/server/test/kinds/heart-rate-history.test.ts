import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRppgRepository } from '../../src/kinds/rppg/rppg.repository.js';
import {
  createMonitoredPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { post } from '../vitals/packets.js';

interface History {
  patient_id: string;
  next_cursor: string | null;
  observations: { ts: number; bpm: number; source: 'device' | 'rppg' }[];
}

let t: TestApp;
let doctor: TestUser;
let patientId: string;
let t0: number;

/**
 * Five device packets (HR 61 … 65 bpm, 10 s apart) and three camera observations (71 … 73 bpm),
 * one of them at the same ms as a packet: eight observations in the patient's history.
 */
beforeAll(async () => {
  t = await createTestApp();
  const w = await createMonitoredPatient(t, 'HR-HISTORY-1');
  doctor = w.doctor;
  patientId = w.patient.user.id;
  t0 = t.clock.now() - 120_000;
  for (let i = 0; i < 5; i++) {
    const res = await post(t, w.key, {
      device_id: 'HR-HISTORY-1',
      timestamp: t0 + i * 10_000,
      ecg_samples: [0.1, 0.2, 0.1],
      heart_rate_bpm: 61 + i,
    });
    expect(res.statusCode).toBe(201);
  }
  await createRppgRepository(t.container.database.db).insertObservations(
    [5_000, 20_000, 35_000].map((dt, i) => ({
      id: `00000000-0000-4000-8000-00000000000${String(i)}`,
      patient_id: patientId,
      ts: t0 + dt,
      bpm: 71 + i,
      source: 'rppg' as const,
      session_id: null,
      confidence: 'high' as const,
      signal_quality: 'good' as const,
      snr_db: 6,
    })),
  );
});

afterAll(async () => {
  await t.close();
});

async function history(query: string): Promise<History> {
  const res = await t.app.inject({
    url: `/api/v1/patients/${patientId}/heart-rate?from=${String(t0)}&to=${String(t0 + 60_000)}&${query}`,
    headers: doctor.headers,
  });
  expect(res.statusCode).toBe(200);
  return res.json<History>();
}

describe('heart-rate history limit', () => {
  it('says the range is complete (next_cursor null) when the limit holds every observation', async () => {
    const all = await history('limit=8');
    expect(all.next_cursor).toBeNull();
    expect(all.observations.map((o) => o.bpm)).toEqual([61, 71, 62, 63, 72, 64, 73, 65]);
  });

  it('says when the limit cut the range, and the cursor pages through the older rest once each', async () => {
    const first = await history('limit=3');
    // The newest three, oldest first, and a sign that there is more.
    expect(first.observations.map((o) => o.bpm)).toEqual([64, 73, 65]);
    expect(first.next_cursor).toEqual(expect.any(String));

    const second = await history(`limit=3&cursor=${first.next_cursor ?? ''}`);
    // 63 bpm and 72 bpm share one ms (t0 + 20 s): the page boundary splits nothing twice.
    expect(second.observations.map((o) => [o.bpm, o.ts - t0])).toEqual([
      [62, 10_000],
      [63, 20_000],
      [72, 20_000],
    ]);
    expect(second.next_cursor).toEqual(expect.any(String));

    const third = await history(`limit=3&cursor=${second.next_cursor ?? ''}`);
    expect(third.observations.map((o) => o.bpm)).toEqual([61, 71]);
    expect(third.next_cursor).toBeNull();
  });

  it('refuses a cursor it did not give, naming cursor', async () => {
    const res = await t.app.inject({
      url: `/api/v1/patients/${patientId}/heart-rate?cursor=bm90LWEtY3Vyc29y`,
      headers: doctor.headers,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'cursor' });
  });
});
