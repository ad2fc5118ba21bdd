import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/index.js';

/**
 * Seed 002's clients sign in at the root, as its README documents them: `POST /auth/register`
 * (JSON, 201 with the created user), `POST /auth/token` (OAuth2 form), `POST /auth/login`
 * (JSON, the token and the user) and `GET /auth/me`. They were 404 (only /api/v1/auth/* existed).
 */
describe("seed 002's sign-in paths", () => {
  let t: TestApp;
  const email = 'parent@example.org';
  const password = 'securePassword123';

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers at POST /auth/register and answers 201 with the created user', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email, password, name: 'John Doe' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const user = res.json<Record<string, unknown>>();
    expect(user).toMatchObject({ email, name: 'John Doe' });
    expect(typeof user.id).toBe('string');
    expect(Number.isNaN(Date.parse(String(user.created_at)))).toBe(false);
    expect(user).not.toHaveProperty('access_token');
    expect(user).not.toHaveProperty('password_hash');
  });

  it('answers an email already registered with 400 at /auth/register, as seed 002 does, and 409 under /api/v1', async () => {
    const again = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email, password, name: 'Someone Else' },
    });
    expect(again.statusCode, again.body).toBe(400);
    expect(again.json()).toMatchObject({
      code: 'EMAIL_TAKEN',
      detail: 'An account with this email already exists',
    });
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password, name: 'Someone Else' },
    });
    expect(api.statusCode, api.body).toBe(409);
    expect(api.json()).toMatchObject({ code: 'EMAIL_TAKEN' });
  });

  it('signs in with the OAuth2 form at POST /auth/token and with JSON at POST /auth/login', async () => {
    const form = await t.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=${encodeURIComponent(email)}&password=${password}`,
    });
    expect(form.statusCode, form.body).toBe(200);
    expect(form.json()).toMatchObject({ token_type: 'bearer' });
    const json = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password },
    });
    expect(json.statusCode, json.body).toBe(200);
    const body = json.json<{ access_token: string; user: { email: string; name: string } }>();
    expect(body.user).toMatchObject({ email, name: 'John Doe' });

    const me = await t.app.inject({
      url: '/auth/me',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ email, name: 'John Doe' });
  });

  it('refuses a wrong password at /auth/token with 401', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=${encodeURIComponent(email)}&password=wrong-password-1`,
    });
    expect(res.statusCode).toBe(401);
  });
});
