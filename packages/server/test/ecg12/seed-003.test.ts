import type { ErrorResponse } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';
import { e07509Body } from './ecg12-fixture.js';

interface SeedPrediction {
  class_index: number;
  class_name: string;
  class_description: string;
}

/**
 * Seed 003's README, replayed: its curl examples against the compatibility aliases
 * (transports/http/routes/compat/seed-003.routes.ts), with ECG12_ANONYMOUS=true as the seed's
 * /forward was public. `ecg_signal: [...]` is the real record E07509.
 */
describe('seed 003 aliases (/api/v1/forward, /history, /stats, /health)', () => {
  let t: TestApp;
  let admin: TestUser;
  let doctor: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { ECG12_ANONYMOUS: 'true' } });
    admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
  });
  afterAll(async () => {
    await t.close();
  });

  it('curl http://localhost:8000/api/v1/health → {status: healthy, model_loaded: true}', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'healthy',
      model_loaded: true,
      model_version: 'vigil-ecg12-logistic-1:ptbxl500-folds1-9',
    });
  });

  it('curl -X POST /api/v1/forward (age 55, sex 1, 175 cm, 80 kg, MID) → {class_index, class_name, class_description}', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/forward',
      headers: { 'content-type': 'application/json' },
      payload: e07509Body({ age: 55 }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      class_index: 3,
      class_name: 'C',
      class_description: 'Conduction disturbance',
    });
  });

  it('POST /api/v1/forward with 11 leads → 400 naming ecg_signal', async () => {
    const body = e07509Body();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/forward',
      payload: { ...body, ecg_signal: body.ecg_signal.map((row) => row.slice(1)) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'ECG12_SIGNAL_SHAPE',
      field: 'ecg_signal[0]',
    });
  });

  it('curl -X POST /api/v1/forward/batch (MID and LAD samples) → {predictions: [...]}', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/forward/batch',
      payload: {
        samples: [
          e07509Body({ age: 55, sex: 1, height: 175, weight: 80, heart_axis: 'MID' }),
          e07509Body({ age: 60, sex: 0, height: 165, weight: 65, heart_axis: 'LAD' }),
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const { predictions } = res.json<{ predictions: SeedPrediction[] }>();
    expect(predictions).toHaveLength(2);
    for (const p of predictions) expect(p).toMatchObject({ class_index: 3, class_name: 'C' });
  });

  it('curl "/api/v1/history?limit=10&offset=0" → {total, records} with the seed fields', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/history?limit=10&offset=0',
      headers: admin.headers,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ total: number; records: Record<string, unknown>[] }>();
    expect(body.total).toBe(4);
    expect(body.records[0]).toMatchObject({
      age: 60,
      sex: 0,
      height: 165,
      weight: 65,
      heart_axis: 'LAD',
      predicted_class_index: 3,
      predicted_class_name: 'C',
      predicted_class_description: 'Conduction disturbance',
      success: true,
      error_message: null,
      request_type: 'batch',
      caller_user_id: null,
    });
    expect(body.records.filter((r) => r.success === false)).toHaveLength(1);
    // Without a token (ECG12_ANONYMOUS=true here, as the seed's public /history) the anonymous
    // requests, which all four are; a doctor who made no request sees none.
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/history' });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json<{ total: number }>().total).toBe(4);
    const mine = await t.app.inject({
      method: 'GET',
      url: '/api/v1/history',
      headers: doctor.headers,
    });
    expect(mine.json()).toEqual({ total: 0, records: [] });
  });

  it("gives the history's created_at as the seed's ISO date-time, the instant /api/v1/ecg/history gives in epoch ms", async () => {
    const seed = await t.app.inject({ url: '/api/v1/history?limit=10', headers: admin.headers });
    const vigil = await t.app.inject({
      url: '/api/v1/ecg/history?limit=10',
      headers: admin.headers,
    });
    const seedRecords = seed.json<{ records: { id: string; created_at: unknown }[] }>().records;
    const epochById = new Map(
      vigil
        .json<{ records: { id: string; created_at: number }[] }>()
        .records.map((r) => [r.id, r.created_at]),
    );
    expect(seedRecords).toHaveLength(4);
    for (const r of seedRecords) {
      const ms = epochById.get(r.id);
      expect(ms).toBeTypeOf('number');
      // What pandas.to_datetime / datetime.fromisoformat read as the request's time.
      expect(r.created_at).toBe(new Date(ms ?? 0).toISOString());
    }
  });

  it('curl /api/v1/stats -H "Authorization: Bearer $TOKEN" → the seed statistics (admin only)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/stats' })).statusCode).toBe(401);
    const denied = await t.app.inject({
      method: 'GET',
      url: '/api/v1/stats',
      headers: doctor.headers,
    });
    expect(denied.statusCode).toBe(403);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/stats', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      total_requests: 4,
      successful_requests: 3,
      failed_requests: 1,
      input_stats: {
        sex_distribution: { '0': 1, '1': 3 },
        heart_axis_distribution: { MID: 3, LAD: 1 },
      },
      class_distribution: { C: 3 },
    });
  });

  it('curl -X DELETE /api/v1/history -H "Authorization: Bearer <JWT_TOKEN>" → {message, deleted_count}', async () => {
    const denied = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/history',
      headers: doctor.headers,
    });
    expect(denied.statusCode).toBe(403);
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/history',
      headers: admin.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: 'Deleted 4 history records', deleted_count: 4 });
  });
});

describe('seed 003 /api/v1/forward with inputs its history columns cannot hold', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ECG12_ANONYMOUS: 'true' } });
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses sex 1.5, sex 3e9 and height 1e39 with 400 naming the field, and keeps them in the history as failed', async () => {
    // A notebook's pandas column of floats (sex 1.5 after a mean imputation), a unit slip: on
    // PostgreSQL the history insert failed (integer sex, float4 height) and the client got a 500
    // instead of the 400, the request missing from the history and the statistics.
    const refused = [{ sex: 1.5 }, { sex: 3e9 }, { height: 1e39 }];
    for (const extra of refused) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/forward',
        payload: e07509Body(extra),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorResponse>()).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: Object.keys(extra)[0],
      });
    }
    const history = await t.app.inject({
      method: 'GET',
      url: '/api/v1/history',
      headers: admin.headers,
    });
    expect(history.statusCode).toBe(200);
    expect(
      history
        .json<{ records: { success: boolean; sex: number | null; height: number | null }[] }>()
        .records.map((r) => [r.success, r.sex, r.height])
        .sort(),
    ).toEqual([
      [false, null, 175],
      [false, null, 175],
      [false, 1, null],
    ]);
  });
});

describe('seed 003 /api/v1/stats after refused requests', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ECG12_ANONYMOUS: 'true' } });
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts a refused request as failed without its out-of-range inputs in input_stats', async () => {
    // A notebook's typos, each refused with 400 naming the field and kept in the history as sent:
    // the admin statistics counted them as inputs, sex_distribution {"1": 5, "2": 1, "1.5": 1},
    // age min -5, height min 0, weight max 900 beside the real patients'.
    const refused = [
      { sex: 2 },
      { sex: 1.5 },
      { age: -5 },
      { height: 0 },
      { weight: 900 },
      { heart_axis: 'mid' },
    ];
    for (const extra of refused) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/forward',
        payload: e07509Body({ age: 60, ...extra }),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorResponse>().field).toBe(Object.keys(extra)[0]);
    }
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/forward',
      payload: e07509Body({ age: 70, height: 180, weight: 90 }),
    });
    expect(ok.statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/stats', headers: admin.headers });
    expect(res.json()).toMatchObject({
      total_requests: 7,
      successful_requests: 1,
      failed_requests: 6,
      input_stats: {
        // The valid inputs of refused requests still count (age 60 five times, height 175, …).
        age: { mean: 61.667, min: 60, max: 70, std: 3.727 },
        height: { min: 175, max: 180 },
        weight: { min: 80, max: 90 },
      },
    });
    const { input_stats } = res.json<{
      input_stats: { sex_distribution: unknown; heart_axis_distribution: unknown };
    }>();
    expect(input_stats.sex_distribution).toEqual({ '1': 5 });
    expect(input_stats.heart_axis_distribution).toEqual({ MID: 6 });
  });
});

describe('seed 003 /api/v1/forward refusing a heart axis', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ECG12_ANONYMOUS: 'true' } });
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('POST /api/v1/forward with heart_axis "mid" → 400 listing all nine axes, NO_DATA included', async () => {
    // A PTB-XL record without an axis is sent as NO_DATA (the seed's list); the refusal listed
    // only the first eight values (TypeBox stops at 8 errors, one per literal of the union), so
    // the client read that NO_DATA was not accepted.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/forward',
      payload: e07509Body({ heart_axis: 'mid' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'heart_axis',
      message:
        'heart_axis must be one of "ALAD", "ARAD", "AXL", "AXR", "LAD", "MID", "RAD", "SAG", "NO_DATA"',
    });
  });

  it('POST /api/v1/forward/batch with a sample that is not an object → 400 naming samples[1], nothing classified', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/forward/batch',
      payload: { samples: [e07509Body(), 5] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'samples[1]',
      message: 'samples[1] must be object',
    });
  });

  it('POST /api/v1/forward/batch with one bad heart_axis → 400 for the batch (as the seed), kept in the history as one failed request', async () => {
    // The seed answers 400 for the batch; a 200 with {error} in the sample's slot crashed a
    // notebook reading p['class_name'] from every prediction.
    const before = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/history?limit=1000',
        headers: admin.headers,
      })
    ).json<{ total: number; records: Record<string, unknown>[] }>();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/forward/batch',
      payload: {
        samples: [e07509Body({ heart_axis: 'MID' }), e07509Body({ heart_axis: 'mid', age: 44 })],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorResponse>()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'samples[1].heart_axis',
      message:
        'samples[1].heart_axis must be one of "ALAD", "ARAD", "AXL", "AXR", "LAD", "MID", "RAD", "SAG", "NO_DATA"',
    });
    const after = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/history?limit=1000',
        headers: admin.headers,
      })
    ).json<{ total: number; records: Record<string, unknown>[] }>();
    expect(after.total).toBe(before.total + 1);
    expect(after.records[0]).toMatchObject({
      request_type: 'batch',
      success: false,
      error_code: 'VALIDATION_FAILED',
      caller_user_id: null,
      heart_axis: 'mid',
      age: 44,
      predicted_class_name: null,
    });
  });
});

describe('seed 003 GET /api/v1/history without a token (ECG12_ANONYMOUS)', () => {
  interface SeedHistory {
    total: number;
    records: { caller_user_id: string | null; patient_id: string | null; age: number | null }[];
  }
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ECG12_ANONYMOUS: 'true' } });
    const admin = await createAdmin(t);
    doctor = await createDoctor(t, admin);
    patient = await createPatient(t, doctor);
    const forward = (payload: unknown, headers?: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/forward', payload: payload as object, headers });
    // Two anonymous requests (one refused), the doctor's own and one about their patient.
    expect((await forward(e07509Body({ age: 31 }))).statusCode).toBe(200);
    expect((await forward(e07509Body({ age: 32, heart_axis: 'mid' }))).statusCode).toBe(400);
    expect((await forward(e07509Body({ age: 33 }), doctor.headers)).statusCode).toBe(200);
    expect(
      (await forward(e07509Body({ age: 34, patient_id: patient.user.id }), doctor.headers))
        .statusCode,
    ).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it("lets an anonymous caller read the anonymous requests only, never a signed-in user's", async () => {
    // Public in the seed (its table: /history GET, no auth); Vigil required a token (401).
    for (const url of ['/api/v1/history', '/api/v1/ecg/history']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const body = res.json<SeedHistory>();
      expect(body.total).toBe(2);
      expect(body.records.map((r) => [r.age, r.caller_user_id, r.patient_id])).toEqual([
        [32, null, null],
        [31, null, null],
      ]);
    }
    // The doctor still sees their own and their patient's, not the anonymous ones.
    const mine = await t.app.inject({
      method: 'GET',
      url: '/api/v1/history',
      headers: doctor.headers,
    });
    expect(mine.json<SeedHistory>().records.map((r) => r.age)).toEqual([34, 33]);
  });

  it('answers an anonymous caller 404 for a patient and 401 for a bad token', async () => {
    const forPatient = await t.app.inject({
      method: 'GET',
      url: `/api/v1/history?patient_id=${patient.user.id}`,
    });
    expect(forPatient.statusCode).toBe(404);
    expect(forPatient.json<ErrorResponse>()).toMatchObject({
      code: 'PATIENT_NOT_FOUND',
      field: 'patient_id',
    });
    const badToken = await t.app.inject({
      method: 'GET',
      url: '/api/v1/history',
      headers: { authorization: 'Bearer nope' },
    });
    expect(badToken.statusCode).toBe(401);
  });
});

describe('seed 003 GET /api/v1/history without a token, ECG12_ANONYMOUS off', () => {
  it('answers 401', async () => {
    const t = await createTestApp();
    try {
      for (const url of ['/api/v1/history', '/api/v1/ecg/history']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(401);
      }
    } finally {
      await t.close();
    }
  });
});
