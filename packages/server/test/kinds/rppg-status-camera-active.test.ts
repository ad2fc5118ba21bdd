import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createPatient, createTestApp, type TestApp, type TestUser } from '../helpers/index.js';

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Status {
  camera_active: boolean;
  time_since_last_update: number | null;
  system_health: string;
}

/**
 * Seed 001's `/status` of a camera session. Before: `time_since_last_update` was the session's
 * age (0.687 s) before any frame had arrived, where the seed means "never" (float('inf')), and
 * `camera_active` stayed true after an uploaded video had been analysed (or a stream closed).
 * The test clock does not move: nothing here depends on the 5 s activity window.
 */
describe('camera session status before frames and after its source ended', () => {
  let t: TestApp;
  let patient: TestUser;
  let dir = '';
  const auth = () => ({ authorization: `Bearer ${patient.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    patient = await createPatient(t);
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-rppg-status-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const newSession = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rppg/sessions',
      headers: auth(),
      payload: {},
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ session_id: string }>().session_id;
  };
  const status = async (id: string) => {
    const res = await t.app.inject({
      url: `/api/v1/rppg/sessions/${id}/status`,
      headers: auth(),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Status>();
  };

  it('gives time_since_last_update null before any frame, however old the session', async () => {
    const id = await newSession();
    t.clock.advance(687);
    expect(await status(id)).toMatchObject({
      camera_active: false,
      time_since_last_update: null,
      system_health: 'unhealthy',
    });
  });

  it('is active while a frame stream is connected, and not once it has closed', async () => {
    const id = await newSession();
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const ws = new WebSocket(
      `ws://127.0.0.1:${address.port}/api/v1/rppg/sessions/${id}/stream?token=${patient.token}`,
    );
    const answers: unknown[] = [];
    ws.on('message', (raw: Buffer) => answers.push(JSON.parse(raw.toString())));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    const t0 = t.clock.now();
    for (let i = 0; i < 5; i++)
      ws.send(
        JSON.stringify({ type: 'mean_rgb', timestamp_ms: t0 + i * 50, r: 150, g: 110, b: 90 }),
      );
    for (let i = 0; i < 200 && answers.length < 5; i++) await new Promise((r) => setTimeout(r, 25));
    expect(answers).toHaveLength(5);
    t.clock.advance(1200);
    expect(await status(id)).toMatchObject({
      camera_active: true,
      time_since_last_update: 1.2,
      system_health: 'healthy',
    });
    await new Promise<void>((resolve) => {
      ws.once('close', () => {
        resolve();
      });
      ws.close();
    });
    for (let i = 0; i < 200 && (await status(id)).camera_active; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await status(id)).toMatchObject({
      camera_active: false,
      time_since_last_update: 1.2,
    });
  });

  it.skipIf(!hasFfmpeg())('is not active once an uploaded video has been analysed', async () => {
    const file = path.join(dir, 'short.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=15:duration=1'],
      ...['-pix_fmt', 'yuv420p', file],
    ]);
    const id = await newSession();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/rppg/sessions/${id}/video`,
      headers: { ...auth(), 'content-type': 'video/mp4' },
      payload: readFileSync(file),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ frames: number }>().frames).toBe(15);
    expect(await status(id)).toMatchObject({
      camera_active: false,
      time_since_last_update: 0,
      system_health: 'degraded',
    });
  });
});
