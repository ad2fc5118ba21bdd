import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, type TestApp, type TestUser } from '../helpers/index.js';

describe('collection paths', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/api/v1/devices', '/api/v1/devices/', '/api/v1/alerts', '/api/v1/alerts/'])(
    'answers %s (the published path and its trailing-slash form)',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url, headers: admin.headers });
      expect(res.statusCode).toBe(200);
    },
  );
});
