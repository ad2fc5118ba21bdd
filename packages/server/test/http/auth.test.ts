import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDoctor,
  createPatient,
  createTestApp,
  login,
  TEST_PASSWORD,
  type TestApp,
} from '../helpers/index.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';

// One app for the file (every test creates its own users); the per-IP limit test has its own.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { JWT_SECRET: SECRET } });
});
afterAll(async () => {
  await t.close();
});

async function register(email: string, password = TEST_PASSWORD, name = 'Ada') {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password, name },
  });
}

async function me(token: string) {
  return t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
}

describe('registration', () => {
  it('creates a patient and returns bearer tokens with the user', async () => {
    const response = await register('Ada@Example.test');
    expect(response.statusCode).toBe(201);
    const body = response.json<{ access_token: string; refresh_token: string }>();
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 1800,
      user: { email: 'ada@example.test', name: 'Ada', role: 'patient', doctor_id: null },
    });
    expect(body.access_token.split('.')).toHaveLength(3);
    expect(body.refresh_token.length).toBeGreaterThanOrEqual(40);
    expect(response.body).not.toMatch(/password|\$argon2/);
  });

  it('refuses a duplicate email, whatever its case, with 409 EMAIL_TAKEN', async () => {
    await register('dup@example.test');
    const response = await register('DUP@example.test');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      code: 'EMAIL_TAKEN',
      message: 'An account with this email already exists',
      field: 'email',
      statusCode: 409,
      // FastAPI's name for the message, which the seed clients display
      detail: 'An account with this email already exists',
    });
  });

  it.each([
    ['short1', 'password must be at least 8 characters long'],
    ['onlyletters', 'password must contain at least one letter and one digit'],
    ['1234567890', 'password must contain at least one letter and one digit'],
  ])('refuses the weak password %j naming the rule', async (password, message) => {
    const response = await register('weak@example.test', password);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'WEAK_PASSWORD',
      message,
      field: 'password',
      statusCode: 400,
      detail: message,
    });
  });
});

describe('sign-in', () => {
  it('accepts the OAuth2 form (username, password) of seeds 000 and 003', async () => {
    await register('form@example.test');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=form%40example.test&password=${TEST_PASSWORD}&grant_type=password`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      token_type: 'bearer',
      user: { email: 'form@example.test' },
    });
    expect((await me(response.json<{ access_token: string }>().access_token)).statusCode).toBe(200);
  });

  it('accepts JSON {email, password} of seed 002', async () => {
    await register('json@example.test');
    const { status, body } = await login(t, 'json@example.test');
    expect(status).toBe(200);
    expect(body.user.email).toBe('json@example.test');
  });

  it('serves the OAuth2 password grant at /auth/token too', async () => {
    await register('tok@example.test');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=tok%40example.test&password=${TEST_PASSWORD}`,
    });
    expect(response.statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    await register('who@example.test');
    const wrong = await login(t, 'who@example.test', 'not-the-password-1');
    const unknown = await login(t, 'nobody@example.test', TEST_PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('names the missing identifier when neither email nor username is sent', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'email' });
  });
});

describe('access tokens', () => {
  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const patient = await createPatient(t);
    expect((await me(patient.token)).statusCode).toBe(200);
    t.clock.advance(30 * 60_000 + 1_000);
    const response = await me(patient.token);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('refuses a token whose signature was tampered with', async () => {
    const patient = await createPatient(t);
    const [header, payload, signature] = patient.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [`${header}.${forged}.${signature}`, `${header}.${payload}.${flipped}`]) {
      const response = await me(token);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'TOKEN_INVALID' });
    }
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const patient = await createPatient(t);
    const now = Math.floor(t.clock.now() / 1000);
    const token = new UnsecuredJWT({ role: 'admin', email: patient.email })
      .setSubject(patient.user.id)
      .setIssuer('vigil')
      .setAudience('vigil-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .encode();
    const response = await me(token);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it.each([
    ['a wrong audience', { aud: 'another-api', iss: 'vigil' }],
    ['a wrong issuer', { aud: 'vigil-api', iss: 'someone-else' }],
  ])('refuses a correctly signed token with %s', async (_label, { aud, iss }) => {
    const patient = await createPatient(t);
    const now = Math.floor(t.clock.now() / 1000);
    const sign = (audience: string, issuer: string) =>
      new SignJWT({ role: 'patient', email: patient.email })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(patient.user.id)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(SECRET));
    // The same construction with the right claims is accepted: the refusal is about aud/iss only.
    expect((await me(await sign('vigil-api', 'vigil'))).statusCode).toBe(200);
    const response = await me(await sign(aud, iss));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('refuses the token of a deleted account at once', async () => {
    const doctor = await createDoctor(t);
    const patient = await createPatient(t, doctor);
    await t.container.services.users.delete(doctor.actor, patient.user.id);
    expect((await me(patient.token)).statusCode).toBe(401);
  });

  it('refuses a malformed Authorization header and a missing one distinctly', async () => {
    const malformed = await t.app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: 'Token abc' },
    });
    expect(malformed.json()).toMatchObject({ code: 'TOKEN_INVALID', statusCode: 401 });
    const missing = await t.app.inject({ url: '/api/v1/auth/me' });
    expect(missing.json()).toMatchObject({ code: 'UNAUTHENTICATED', statusCode: 401 });
  });
});

describe('refresh tokens', () => {
  async function refresh(token: string) {
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: token },
    });
  }

  it('rotates: the new pair works and the old refresh token is refused', async () => {
    const patient = await createPatient(t);
    const first = await refresh(patient.refreshToken);
    expect(first.statusCode).toBe(200);
    const next = first.json<{ access_token: string; refresh_token: string }>();
    expect(next.refresh_token).not.toBe(patient.refreshToken);
    expect((await me(next.access_token)).statusCode).toBe(200);
    const replay = await refresh(patient.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'REFRESH_TOKEN_INVALID', field: 'refresh_token' });
  });

  it('revokes the whole family when a used token is replayed', async () => {
    const patient = await createPatient(t);
    const rotated = (await refresh(patient.refreshToken)).json<{ refresh_token: string }>();
    expect((await refresh(patient.refreshToken)).statusCode).toBe(401);
    // The legitimate latest token dies too: a stolen copy is in circulation.
    expect((await refresh(rotated.refresh_token)).statusCode).toBe(401);
  });

  it('accepts the OAuth2 form (grant_type=refresh_token)', async () => {
    const patient = await createPatient(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=refresh_token&refresh_token=${patient.refreshToken}`,
    });
    expect(response.statusCode).toBe(200);
  });

  it('refuses an expired refresh token', async () => {
    const patient = await createPatient(t);
    t.clock.advance(31 * 86_400_000);
    expect((await refresh(patient.refreshToken)).statusCode).toBe(401);
  });

  it('stops working after logout', async () => {
    const patient = await createPatient(t);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      payload: { refresh_token: patient.refreshToken },
    });
    expect(out.statusCode).toBe(204);
    expect((await refresh(patient.refreshToken)).statusCode).toBe(401);
  });
});

describe('sign-in rate limits', () => {
  it('locks an account after 5 failures with 429 and Retry-After, until the window ends', async () => {
    await register('target@example.test');
    for (let i = 0; i < 5; i++) {
      expect((await login(t, 'target@example.test', `wrong-guess-${i}`)).status).toBe(401);
    }
    const locked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'target@example.test', password: TEST_PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'LOGIN_LOCKED', statusCode: 429 });
    expect(locked.headers['retry-after']).toBe('900');
    // Another account is unaffected.
    await register('bystander@example.test');
    expect((await login(t, 'bystander@example.test')).status).toBe(200);
    t.clock.advance(15 * 60_000);
    expect((await login(t, 'target@example.test')).status).toBe(200);
  });

  it('limits sign-in attempts per IP with 429 RATE_LIMITED and Retry-After', async () => {
    const limitedApp = await createTestApp({ env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3' } });
    const attempt = (ip: string) =>
      limitedApp.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: ip,
        payload: { email: 'someone@example.test', password: 'whatever-1' },
      });
    for (let i = 0; i < 3; i++) expect((await attempt('10.0.0.1')).statusCode).toBe(401);
    const limited = await attempt('10.0.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', statusCode: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt('10.0.0.2')).statusCode).toBe(401);
    await limitedApp.close();
  });
});

describe('profile', () => {
  it('updates the name and the typed health profile', async () => {
    const patient = await createPatient(t);
    const profile = {
      age: 64,
      sex: 'female',
      height_cm: 168.5,
      weight_kg: 71,
      conditions: ['hypertension'],
      medications: ['lisinopril 10 mg'],
    };
    const response = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: patient.headers,
      payload: { name: 'Grace', health_profile: profile },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'Grace', health_profile: profile });
    expect((await me(patient.token)).json()).toMatchObject({ health_profile: profile });
  });

  it('stores nothing when one profile field is invalid', async () => {
    const patient = await createPatient(t, undefined, 'Before');
    const response = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: patient.headers,
      payload: { name: 'After', health_profile: { age: 40, weight_kg: -3 } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ field: 'health_profile.weight_kg' });
    expect((await me(patient.token)).json()).toMatchObject({
      name: 'Before',
      health_profile: null,
    });
  });
});
