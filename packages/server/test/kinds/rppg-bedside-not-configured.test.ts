import type { ErrorResponse } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/index.js';
import { createTestAppWithDashboard } from '../helpers/dashboard-app.js';

/**
 * Without RPPG_CAMERA_SOURCE, seed 001's root paths answer 404 CAMERA_NOT_CONFIGURED
 * (ERRORS.md, docs/configuration.md), also with the dashboard served: its page fallback used to
 * answer them 200 with index.html.
 */
describe('bedside root paths without a camera', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestAppWithDashboard();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/bpm', '/status', '/current_frame', '/video_feed'])(
    'answers GET %s 404 CAMERA_NOT_CONFIGURED in JSON, not the dashboard page',
    async (url) => {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json<ErrorResponse>()).toMatchObject({
        code: 'CAMERA_NOT_CONFIGURED',
        statusCode: 404,
      });
    },
  );

  it('still serves the dashboard for its own page paths', async () => {
    const res = await t.app.inject({ url: '/patients/abc' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>Vigil</title>');
  });

  it('leaves the OpenAPI document without the hidden paths', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).not.toContain('/bpm');
  });
});
