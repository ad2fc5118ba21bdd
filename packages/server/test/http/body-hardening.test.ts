import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createMonitoredPatient,
  createTestApp,
  type TestApp,
} from '../helpers/index.js';

describe('request bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const postJson = (url: string, body: string) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: body,
    });

  it('refuses a __proto__ key with 400 naming it', async () => {
    const res = await postJson(
      '/api/v1/auth/login',
      '{"email":"a@example.org","password":"long-enough-1","__proto__":{"role":"admin"}}',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: '__proto__' });
  });

  it('refuses a constructor.prototype key with 400 naming its path', async () => {
    const res = await postJson(
      '/api/v1/auth/register',
      '{"email":"b@example.org","password":"long-enough-1","name":"B","health_profile":{"conditions":[{"constructor":{"prototype":{"x":1}}}]}}',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'health_profile.conditions[0].constructor',
    });
  });

  it('refuses a text/plain body to a JSON endpoint with 415 naming the content type', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      payload: '{"email":"a@example.org","password":"long-enough-1"}',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message:
        'Content-Type "text/plain" is not accepted by this endpoint (JSON bodies are application/json)',
      detail:
        'Content-Type "text/plain" is not accepted by this endpoint (JSON bodies are application/json)',
      field: 'content-type',
      statusCode: 415,
    });
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a text/plain body on every endpoint that takes JSON', async () => {
    const admin = await createAdmin(t);
    const { key } = await createMonitoredPatient(t, 'MEDIA-TYPE-1');
    const doc = (await t.app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    }>();
    const outcomes: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.requestBody?.content['application/json'] === undefined) continue;
        const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        // Device endpoints take the device's key; the others a user's token.
        const device = /\/(vitals|readings|oximetry)|\/api\/(vitals|readings|mongo)/.test(path);
        const res = await t.app.inject({
          method: method.toUpperCase() as 'POST',
          url,
          headers: {
            ...(device ? { 'x-api-key': key } : admin.headers),
            'content-type': 'text/plain',
          },
          payload: '{}',
        });
        const body = res.json<{ code?: string; field?: string }>();
        outcomes.push(
          `${method.toUpperCase()} ${path} ${String(res.statusCode)} ${body.code ?? ''}`,
        );
      }
    }
    expect(outcomes.length).toBeGreaterThan(30);
    expect(outcomes.filter((o) => !o.endsWith(' 415 UNSUPPORTED_MEDIA_TYPE'))).toEqual([]);
  });

  it('still answers invalid JSON as MALFORMED_REQUEST', async () => {
    const res = await postJson('/api/v1/auth/login', '{"email":');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MALFORMED_REQUEST' });
  });

  it('refuses a sign-in body larger than 16 KiB with 413', async () => {
    const res = await postJson(
      '/api/v1/auth/login',
      JSON.stringify({ email: 'c@example.org', password: 'x'.repeat(1024 * 1024) }),
    );
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses deeply nested JSON with 400 naming where it is too deep', async () => {
    const deep = `{"email":"d@example.org","password":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const res = await postJson('/api/v1/auth/register', deep);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.json<{ field: string }>().field).toMatch(/^password(\[0\])+$/);
    // The same refusal on a route with a large body limit, where the nesting fills megabytes
    // (JSON.parse alone took 5.7 s on these 4 million levels).
    const { key } = await createMonitoredPatient(t, 'ESP32-DEEP-1');
    const huge = `[${'['.repeat(4_000_000)}${']'.repeat(4_000_000)}]`;
    const ingest = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: huge,
    });
    expect(ingest.statusCode).toBe(400);
    expect(ingest.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('accepts nesting up to the limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: {
        email: 'nest@example.org',
        password: 'long-enough-1',
        name: 'N',
        health_profile: { conditions: ['asthma'] },
      },
    });
    expect(res.statusCode).toBe(201);
  });

  it('refuses a number beyond the double range (1e309) naming the field', async () => {
    const { key } = await createMonitoredPatient(t, 'ESP32-INF-1');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: `{"device_id":"ESP32-INF-1","timestamp":1700000000000,"ecg_samples":[0.1,0.2],"heart_rate_bpm":1e309}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'heart_rate_bpm' });
    expect(res.json<{ message: string }>().message).toMatch(/finite/);
    const inArray = await postJson(
      '/api/v1/auth/login',
      '{"email":"x@example.org","password":[1,-1e400]}',
    );
    expect(inArray.statusCode).toBe(400);
    expect(inArray.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'password[1]' });
  });

  it('refuses a JSON body that is not valid UTF-8 with 400 in the catalogue shape', async () => {
    const { key } = await createMonitoredPatient(t, 'ESP32-UTF-1');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      // "device_id":"ESP32-<0xC3 0x28>" (0xC3 starts a two-byte sequence; 0x28 cannot continue it)
      payload: Buffer.concat([
        Buffer.from('{"device_id":"ESP32-'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('","timestamp":1700000000000,"ecg_samples":[0.1]}'),
      ]),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json()).toMatchObject({ statusCode: res.statusCode });
    expect(typeof res.json<{ code: unknown }>().code).toBe('string');
  });

  it('refuses an upload body over its 16 MiB limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const { key } = await createMonitoredPatient(t, 'ESP32-BIG-1');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      payload: `{"device_id":"ESP32-BIG-1","pad":"${'x'.repeat(16 * 1024 * 1024)}"}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', statusCode: 413 });
  });

  it('refuses a truncated multipart upload with 400 in the catalogue shape', async () => {
    const { key } = await createMonitoredPatient(t, 'NURSERY-CUT-1');
    const boundary = '----vigilcut';
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'x-api-key': key,
      },
      // A file part that never ends: no closing boundary.
      payload:
        `--${boundary}\r\nContent-Disposition: form-data; name="temperature"\r\n\r\n36.9\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n` +
        'Content-Type: audio/wav\r\n\r\nRIFF',
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(typeof res.json<{ code: unknown }>().code).toBe('string');
    expect(res.json()).toMatchObject({ statusCode: res.statusCode });
  });

  it('answers a path parameter over 100 characters in the catalogue shape (found by the fuzzer)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/alerts/${'9'.repeat(400)}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'path', statusCode: 400 });
  });
});
