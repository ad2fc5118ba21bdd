import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/index.js';

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
});
