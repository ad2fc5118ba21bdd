import { AlertRulesSchema } from '@vigil/protocol';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
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

/** The messages of every place where `value` breaks `schema` (empty: it conforms). */
const violations = (schema: TSchema, value: unknown): string[] =>
  [...Value.Errors(schema, value)].map((e) => `${e.instancePath} ${e.message}`);

// A client generated from /openapi.json validates answers against the schemas published there;
// an answer its own schema refuses breaks such a client on every call.
describe('answers match the schemas the OpenAPI document publishes for them', () => {
  let t: TestApp;
  let doctor: TestUser;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    doctor = await createDoctor(t, await createAdmin(t));
    patient = await createPatient(t, doctor);
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET and PUT /patients/{id}/alert-rules: each rule with its source conforms to AlertRules', async () => {
    const url = `/api/v1/patients/${patient.user.id}/alert-rules`;
    const got = await t.app.inject({ url, headers: doctor.headers });
    expect(got.statusCode).toBe(200);
    expect(got.json<{ rules: { source: string }[] }>().rules[0]?.source).toBe('default');
    expect(violations(AlertRulesSchema, got.json())).toEqual([]);

    const put = await t.app.inject({
      method: 'PUT',
      url,
      headers: doctor.headers,
      payload: {
        rules: [
          { kind: 'hr_high', enabled: true, threshold: 110, duration_s: 10, severity: 'critical' },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    expect(violations(AlertRulesSchema, put.json())).toEqual([]);
  });

  it('POST /vitals and /oximetry list the 409 of a clock gone back and the 503 of a server shedding or stopping', async () => {
    const { api_key: key } = await registerDevice(t, doctor, {
      deviceId: 'ESP32-SCHEMA',
      patientId: patient.user.id,
    });
    const upload = (sequence: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': key },
        payload: {
          device_id: 'ESP32-SCHEMA',
          timestamp: t.clock.now(),
          sequence,
          ecg_samples: Array.from({ length: 250 }, () => 0.1),
        },
      });
    expect((await upload(7)).statusCode).toBe(201);
    const back = await upload(3);
    expect(back.json<{ code: string }>().code).toBe('TIMESTAMP_TAKEN');
    const { paths } = t.app.swagger() as unknown as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    for (const path of ['/api/v1/vitals', '/api/v1/oximetry'])
      expect(Object.keys(paths[path]?.post?.responses ?? {}), path).toEqual(
        expect.arrayContaining([String(back.statusCode), '503']),
      );
  });
});
