import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createTestApp, type TestApp, type TestUser } from '../helpers/index.js';

/**
 * Seed 001's `/video_feed` shown in an `<img>` before the camera has sent a frame. Before: the
 * response headers waited for the first frame, so a session with no frames yet answered nothing
 * at all (curl -m 8: no status, no headers) and a browser or proxy saw a hung request.
 */
describe('a camera session video_feed before any frame', () => {
  let t: TestApp;
  let patient: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    patient = await createPatient(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 200 multipart/x-mixed-replace at once', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rppg/sessions',
      headers: patient.headers,
      payload: {},
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ session_id: string }>().session_id;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const started = Date.now();
    const head = await new Promise<{ status: number | undefined; type: string | undefined }>(
      (resolve, reject) => {
        const req = http.get(
          `http://127.0.0.1:${address.port}/api/v1/rppg/sessions/${id}/video_feed`,
          { headers: patient.headers },
          (res) => {
            resolve({ status: res.statusCode, type: res.headers['content-type'] });
            req.destroy();
          },
        );
        req.on('error', reject);
        setTimeout(() => {
          req.destroy();
          reject(new Error('no response headers within 3 s'));
        }, 3000);
      },
    );
    expect(head).toEqual({ status: 200, type: 'multipart/x-mixed-replace; boundary=frame' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
