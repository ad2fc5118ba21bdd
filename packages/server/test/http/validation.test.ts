import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createTestApp,
  registerDevice,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';

/**
 * Every request part with a schema, given one bad value at a time: the answer is always 400
 * VALIDATION_FAILED (or the service's WEAK_PASSWORD) whose `field` is the JSON path of the bad
 * input and whose message states the rule.
 */
let t: TestApp;
let admin: TestUser;
let doctor: TestUser;
let deviceId: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createAdmin(t);
  doctor = await createDoctor(t, admin);
  deviceId = (await registerDevice(t, doctor)).id;
});
afterAll(async () => {
  await t.close();
});

type Case = [label: string, request: () => InjectOptions, field: string, rule: RegExp];
const auth = () => admin.headers;
const doc = () => doctor.headers;
const good = { email: 'valid@example.test', password: 'good-pass-1', name: 'Valid' };

const cases: Case[] = [
  [
    'register: email missing',
    () => ({ method: 'POST', url: '/api/v1/auth/register', payload: { password: 'x', name: 'n' } }),
    'email',
    /required/,
  ],
  [
    'register: email malformed',
    () => ({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { ...good, email: 'not-an-email' },
    }),
    'email',
    /format "email"/,
  ],
  [
    'register: password missing',
    () => ({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: good.email, name: 'n' },
    }),
    'password',
    /required/,
  ],
  [
    'register: name empty',
    () => ({ method: 'POST', url: '/api/v1/auth/register', payload: { ...good, name: '' } }),
    'name',
    /fewer than 1 characters/,
  ],
  [
    'register: name of wrong type',
    () => ({ method: 'POST', url: '/api/v1/auth/register', payload: { ...good, name: 42 } }),
    'name',
    /string/,
  ],
  [
    'register: password weak',
    () => ({ method: 'POST', url: '/api/v1/auth/register', payload: { ...good, password: 'abc' } }),
    'password',
    /at least 8/,
  ],
  [
    'login: password missing',
    () => ({ method: 'POST', url: '/api/v1/auth/login', payload: { email: good.email } }),
    'password',
    /required/,
  ],
  [
    'login: wrong grant_type',
    () => ({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { username: 'a', password: 'b', grant_type: 'client_credentials' },
    }),
    'grant_type',
    /must be "password"/,
  ],
  [
    'refresh: token missing',
    () => ({ method: 'POST', url: '/api/v1/auth/refresh', payload: {} }),
    'refresh_token',
    /required/,
  ],
  [
    'profile: unknown field',
    () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: auth(),
      payload: { nickname: 'x' },
    }),
    'nickname',
    /not an allowed property/,
  ],
  [
    'profile: age not an integer',
    () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: auth(),
      payload: { health_profile: { age: 40.5 } },
    }),
    'health_profile.age',
    /integer/,
  ],
  [
    'profile: age as a string',
    () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: auth(),
      payload: { health_profile: { age: '40' } },
    }),
    'health_profile.age',
    /integer/,
  ],
  [
    'profile: sex outside the enum',
    () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: auth(),
      payload: { health_profile: { sex: 'x' } },
    }),
    'health_profile.sex',
    /must be one of "male", "female", "other"/,
  ],
  [
    'profile: height too large',
    () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: auth(),
      payload: { health_profile: { height_cm: 400 } },
    }),
    'health_profile.height_cm',
    /<= 300/,
  ],
  [
    'profile: empty condition',
    () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: auth(),
      payload: { health_profile: { conditions: ['ok', ''] } },
    }),
    'health_profile.conditions[1]',
    /fewer than 1 characters/,
  ],
  [
    'profile: unknown health field',
    () => ({
      method: 'PUT',
      url: '/api/v1/auth/profile',
      headers: auth(),
      payload: { health_profile: { blood: 'A+' } },
    }),
    'health_profile.blood',
    /not an allowed property/,
  ],
  [
    'users create: role unknown',
    () => ({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(),
      payload: { ...good, role: 'nurse' },
    }),
    'role',
    /must be one of "admin", "doctor", "patient"/,
  ],
  [
    'users create: role missing for an admin',
    () => ({ method: 'POST', url: '/api/v1/users', headers: auth(), payload: good }),
    'role',
    /role is required/,
  ],
  [
    'users create: email malformed',
    () => ({
      method: 'POST',
      url: '/api/v1/users',
      headers: doc(),
      payload: { ...good, email: 'x@' },
    }),
    'email',
    /format/,
  ],
  [
    'users create: password weak',
    () => ({
      method: 'POST',
      url: '/api/v1/users',
      headers: doc(),
      payload: { ...good, password: 'lettersonly' },
    }),
    'password',
    /letter and one digit/,
  ],
  [
    'users list: limit above maximum',
    () => ({ url: '/api/v1/users/patients?limit=10000', headers: auth() }),
    'limit',
    /<= 500/,
  ],
  [
    'users list: offset not a number',
    () => ({ url: '/api/v1/users/patients?offset=abc', headers: auth() }),
    'offset',
    /integer/,
  ],
  [
    'users get: id not a uuid',
    () => ({ url: '/api/v1/users/42', headers: auth() }),
    'id',
    /format "uuid"/,
  ],
  [
    'users update: unknown field',
    () => ({
      method: 'PUT',
      url: `/api/v1/users/${doctor.user.id}`,
      headers: auth(),
      payload: { is_admin: true },
    }),
    'is_admin',
    /not an allowed property/,
  ],
  [
    'users update: name empty',
    () => ({
      method: 'PUT',
      url: `/api/v1/users/${doctor.user.id}`,
      headers: auth(),
      payload: { name: '' },
    }),
    'name',
    /fewer than 1 characters/,
  ],
  [
    'users delete: id not a uuid',
    () => ({ method: 'DELETE', url: '/api/v1/users/abc', headers: auth() }),
    'id',
    /uuid/,
  ],
  [
    'devices register: device_id missing',
    () => ({ method: 'POST', url: '/api/v1/devices/register', headers: doc(), payload: {} }),
    'device_id',
    /required/,
  ],
  [
    'devices register: device_id with spaces',
    () => ({
      method: 'POST',
      url: '/api/v1/devices/register',
      headers: doc(),
      payload: { device_id: 'my device' },
    }),
    'device_id',
    /pattern/,
  ],
  [
    'devices register: patient_id not a uuid',
    () => ({
      method: 'POST',
      url: '/api/v1/devices/register',
      headers: doc(),
      payload: { device_id: 'D-1', patient_id: 'p1' },
    }),
    'patient_id',
    /format "uuid"/,
  ],
  [
    'devices list: limit zero',
    () => ({ url: '/api/v1/devices?limit=0', headers: doc() }),
    'limit',
    />= 1/,
  ],
  [
    'devices get: id not a uuid',
    () => ({ url: '/api/v1/devices/ESP32', headers: doc() }),
    'id',
    /uuid/,
  ],
  [
    'devices update: unknown field',
    () => ({
      method: 'PUT',
      url: `/api/v1/devices/${deviceId}`,
      headers: doc(),
      payload: { owner_id: admin.user.id },
    }),
    'owner_id',
    /not an allowed property/,
  ],
  [
    'devices update: name too long',
    () => ({
      method: 'PUT',
      url: `/api/v1/devices/${deviceId}`,
      headers: doc(),
      payload: { name: 'x'.repeat(101) },
    }),
    'name',
    /more than 100 characters/,
  ],
  [
    'devices rotate-key: id not a uuid',
    () => ({ method: 'POST', url: '/api/v1/devices/nope/rotate-key', headers: doc() }),
    'id',
    /uuid/,
  ],
  // U+0000 in any part: PostgreSQL text cannot hold it, and these were 500s there (found by
  // fuzzing every route's parameters on PostgreSQL).
  [
    'vitals history: device_id holding U+0000',
    () => ({ url: '/api/v1/vitals/ESP32%00X', headers: doc() }),
    'device_id',
    /must not contain the NUL character \(U\+0000\)/,
  ],
  [
    'readings list: patient_id holding U+0000',
    () => ({ url: '/api/v1/readings?patient_id=a%00b', headers: doc() }),
    'patient_id',
    /must not contain the NUL character/,
  ],
  [
    'login: email holding U+0000',
    () => ({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'a\u0000@example.test', password: 'x' },
    }),
    'email',
    /must not contain the NUL character/,
  ],
  [
    'users create: name holding U+0000',
    () => ({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(),
      payload: { ...good, email: 'nul@example.test', name: 'A\u0000B', role: 'doctor' },
    }),
    'name',
    /must not contain the NUL character/,
  ],
  // An offset beyond 2^53 (a client's overflowed page counter): PostgreSQL's bigint refused it,
  // a 500 on every offset-paged list.
  ...[
    '/api/v1/history',
    '/api/v1/ecg/history',
    '/api/v1/readings',
    '/health/history',
    '/api/v1/users',
    '/api/v1/devices',
  ].map((url): Case => [
    `${url}: offset 99999999999999999999`,
    () => ({ method: 'GET', url: `${url}?offset=99999999999999999999`, headers: auth() }),
    'offset',
    /offset must be <= 9007199254740991/,
  ]),
  // A page size is a whole number: 1.5 must not be read as 1 (or 2) without a word.
  ...['/api/v1/history', '/api/v1/ecg/history', '/api/v1/users', '/api/v1/devices'].map(
    (url): Case => [
      `${url}: limit 1.5`,
      () => ({ method: 'GET', url: `${url}?limit=1.5`, headers: auth() }),
      'limit',
      /integer/,
    ],
  ),
];

describe('validation errors name their field and rule', () => {
  it.each(cases)('%s', async (_label, request, field, rule) => {
    const response = await t.app.inject(request());
    expect(response.statusCode).toBe(400);
    const body = response.json<{ code: string; field: string; message: string }>();
    expect(['VALIDATION_FAILED', 'WEAK_PASSWORD']).toContain(body.code);
    expect(body.field).toBe(field);
    expect(body.message).toMatch(rule);
    expect(body.message).toContain(field.split(/[.[]/)[0]);
  });

  it('stores nothing for a rejected registration', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { ...good, password: 'abc' },
    });
    const retry = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: good,
    });
    expect(retry.statusCode).toBe(201);
  });
});
