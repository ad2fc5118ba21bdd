import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFaceVideoSynth } from '@vigil/signal';
import { decodeJpeg, loadSynthFace, writeSynthVideo } from '@vigil/signal/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPatient,
  createTestApp,
  signIn,
  type TestApp,
  type TestUser,
} from '../helpers/index.js';

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const VIDEO_BPM = 72;
const CAMERA_KEY = 'bedside-camera-key-0123456789';

/**
 * Seed 001's Streamlit dashboard (haizadtarik/facial-heart-rate, app.py and health_monitor.py),
 * replayed: the calls it makes and exactly the fields it reads, with the same Python semantics
 * (a KeyError or a TypeError there is a missing field or a wrong type here).
 */
interface DashboardView {
  bpmColour: string;
  bpmText: string;
  confidence: string;
  face: string;
  signal: string;
  buffer: string;
  lastUpdate: string;
  camera: string;
  frameCaption: string | null;
  alerts: string[];
}

function title(s: unknown): string {
  if (typeof s !== 'string') throw new TypeError(`.title() on ${typeof s}`);
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

function field(o: Record<string, unknown>, key: string, type: 'number'): number;
function field(o: Record<string, unknown>, key: string, type: 'string'): string;
function field(o: Record<string, unknown>, key: string, type: 'boolean'): boolean;
function field(o: Record<string, unknown>, key: string, type: string): unknown {
  if (!(key in o)) throw new Error(`KeyError: '${key}'`);
  const v = o[key];
  if (typeof v !== type) throw new TypeError(`${key} is ${typeof v}, the dashboard needs ${type}`);
  return v;
}

function replayDashboard(
  reading: Record<string, unknown>,
  status: Record<string, unknown>,
  frame: Record<string, unknown> | null,
): DashboardView {
  // get_current_reading / get_system_status: logger.log_reading(reading['bpm'], …)
  const bpm = field(reading, 'bpm', 'number');
  const confidence = field(reading, 'confidence', 'string');
  const faceDetected = field(reading, 'face_detected', 'boolean');
  const bufferFill = field(reading, 'buffer_fill', 'string');
  const signalQuality = (status.signal_quality as string | undefined) ?? 'unknown';
  // health_monitor.process_reading: check_heart_rate(bpm, confidence), alerts on high only.
  const alerts: string[] = [];
  if (confidence === 'high' && bpm > 120) alerts.push(`High heart rate detected: ${bpm} BPM`);
  if (confidence === 'high' && bpm < 50) alerts.push(`Low heart rate detected: ${bpm} BPM`);
  const timeSince = field(status, 'time_since_last_update', 'number');
  return {
    bpmColour: bpm < 60 ? 'blue' : bpm > 100 ? 'red' : 'green',
    bpmText: `${bpm} BPM`,
    confidence: title(confidence),
    face: faceDetected ? 'Detected' : 'Not Found',
    signal: title(signalQuality),
    buffer: `${field(status, 'buffer_size', 'number')}/${field(status, 'max_buffer_size', 'number')} (${bufferFill})`,
    lastUpdate: `${timeSince.toFixed(2)}s ago`,
    camera: field(status, 'camera_active', 'boolean') ? 'Active' : 'Inactive',
    frameCaption:
      frame === null || typeof frame.frame !== 'string' || frame.frame === ''
        ? null
        : `Face Detection: ${frame.face_detected === true ? 'Active' : 'Inactive'} | BPM: ${typeof frame.bpm === 'number' ? frame.bpm : 0}`,
    alerts,
  };
}

let t: TestApp;
let patient: TestUser;
let dir = '';

describe.skipIf(!hasFfmpeg())('bedside camera (seed 001 root paths)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-bedside-'));
    const video = path.join(dir, 'bedside-72.y4m');
    const synth = createFaceVideoSynth({
      face: await loadSynthFace(),
      width: 320,
      height: 240,
      fps: 15,
      durationSeconds: 14,
      bpm: VIDEO_BPM,
      bpmWanderSd: 0,
      seed: 3,
    });
    await writeSynthVideo(synth, video);
    // The camera's patient must exist before the server starts: create it, then restart on the
    // same database with the camera configured.
    const placement =
      process.env.DATABASE_URL === undefined
        ? { sqlitePath: path.join(dir, 'vigil.sqlite') }
        : { pgSchema: `vigil_srvtest_${randomBytes(6).toString('hex')}`, maxConnections: 4 };
    const first = await createTestApp({ database: { ...placement, dropSchemaOnClose: false } });
    const created = await createPatient(first);
    const noCamera = await first.app.inject({ url: '/bpm' });
    expect(noCamera.statusCode).toBe(404);
    await first.close();
    t = await createTestApp({
      database: { ...placement, dropSchemaOnClose: true },
      env: {
        RPPG_CAMERA_SOURCE: video,
        RPPG_CAMERA_PATIENT_ID: created.user.id,
        RPPG_CAMERA_LOOP: 'false',
        RPPG_CAMERA_KEY: CAMERA_KEY,
        RPPG_CAMERA_ALLOWED_NETWORKS: '10.1.0.0/16',
      },
      rppg: { cameraRealtime: false },
    });
    patient = await signIn(t, created.email);
    await t.container.rppgCamera?.finished;
    await t.container.services.alerts.idle();
  }, 180_000);

  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GET /bpm in the seed shape with the video rate within 3 bpm', async () => {
    const res = await t.app.inject({ url: '/bpm' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(
      [
        'bpm',
        'buffer_fill',
        'confidence',
        'face_detected',
        'message',
        'signal_quality',
        'timestamp',
      ].sort(),
    );
    expect(body).toMatchObject({ face_detected: true, buffer_fill: '200/200' });
    expect(['medium', 'high']).toContain(body.confidence);
    expect(Math.abs((body.bpm as number) - VIDEO_BPM)).toBeLessThan(3);
  });

  it('answers /status and /current_frame in the seed shapes (annotated JPEG, base64)', async () => {
    const status = (await t.app.inject({ url: '/status' })).json<Record<string, unknown>>();
    expect(status).toMatchObject({
      face_detected: true,
      buffer_size: 200,
      max_buffer_size: 200,
      api_version: '2.0.0',
      // The file has been read to its end (RPPG_CAMERA_LOOP=false): no camera any more.
      camera_active: false,
    });
    const frame = (await t.app.inject({ url: '/current_frame' })).json<{
      frame: string;
      face_detected: boolean;
      bpm: number;
    }>();
    expect(frame.face_detected).toBe(true);
    const image = decodeJpeg(Buffer.from(frame.frame, 'base64'));
    expect([image.width, image.height]).toEqual([640, 480]);
    // The seed's green overlay ("Face Detected", "BPM: …") is drawn from (10, 10).
    let green = 0;
    for (let i = 0; i < image.pixels.length; i += 3)
      if ((image.pixels[i + 1] ?? 0) > 200 && (image.pixels[i] ?? 255) < 80) green++;
    expect(green).toBeGreaterThan(500);
  });

  it("puts every read of the camera on the audit trail as a read of its patient's data", async () => {
    const res = await t.app.inject({
      url: '/status',
      headers: { 'x-request-id': 'camera-audit-1' },
    });
    expect(res.statusCode).toBe(200);
    await new Promise((r) => setImmediate(r));
    await t.container.services.audit.flush();
    const events = await t.container.repositories.audit.list({ patientId: patient.user.id }, 100);
    expect(events.filter((e) => e.request_id === 'camera-audit-1')).toEqual([
      expect.objectContaining({
        action: 'heart_rate.read',
        resource_type: 'rppg_camera',
        actor_kind: 'anonymous',
        outcome: 'success',
      }),
    ]);
  });

  it("serves the Streamlit dashboard's polling as it reads it", async () => {
    const reading = (await t.app.inject({ url: '/bpm' })).json<Record<string, unknown>>();
    const status = (await t.app.inject({ url: '/status' })).json<Record<string, unknown>>();
    const frame = (await t.app.inject({ url: '/current_frame' })).json<Record<string, unknown>>();
    const view = replayDashboard(reading, status, frame);
    expect(view.bpmColour).toBe('green');
    expect(view.face).toBe('Detected');
    expect(['High', 'Medium']).toContain(view.confidence);
    expect(view.buffer).toBe('200/200 (200/200)');
    expect(view.lastUpdate).toMatch(/^\d+\.\d\ds ago$/);
    expect(view.frameCaption).toMatch(/^Face Detection: Active \| BPM: \d+(\.\d)?$/);
    expect(view.alerts).toEqual([]);
  });

  it('streams /video_feed as multipart/x-mixed-replace JPEG parts', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const { contentType, head } = await new Promise<{ contentType: string; head: Buffer }>(
      (resolve, reject) => {
        const req = http.get(`http://127.0.0.1:${address.port}/video_feed`, (res) => {
          let buf = Buffer.alloc(0);
          res.on('data', (chunk: Buffer) => {
            buf = Buffer.concat([buf, chunk]);
            if (buf.length > 2000) {
              resolve({ contentType: String(res.headers['content-type']), head: buf });
              req.destroy();
            }
          });
        });
        req.on('error', reject);
      },
    );
    expect(contentType).toBe('multipart/x-mixed-replace; boundary=frame');
    const text = head.subarray(0, 80).toString('latin1');
    expect(text).toMatch(/^--frame\r\nContent-Type: image\/jpeg\r\nContent-Length: \d+\r\n\r\n/);
    const start = head.indexOf('\r\n\r\n') + 4;
    expect([head[start], head[start + 1]]).toEqual([0xff, 0xd8]);
  });

  it('answers only loopback, the allowed networks and the camera key', async () => {
    const outside = await t.app.inject({ url: '/bpm', remoteAddress: '203.0.113.9' });
    expect(outside.statusCode).toBe(403);
    expect(outside.json()).toMatchObject({ code: 'CAMERA_ACCESS_DENIED' });
    const wrongKey = await t.app.inject({
      url: '/status',
      remoteAddress: '203.0.113.9',
      headers: { 'x-camera-key': 'not-the-key-at-all-xxxxxx' },
    });
    expect(wrongKey.statusCode).toBe(403);
    const header = await t.app.inject({
      url: '/bpm',
      remoteAddress: '203.0.113.9',
      headers: { 'x-camera-key': CAMERA_KEY },
    });
    expect(header.statusCode).toBe(200);
    const query = await t.app.inject({
      url: `/current_frame?key=${CAMERA_KEY}`,
      remoteAddress: '203.0.113.9',
    });
    expect(query.statusCode).toBe(200);
    const lan = await t.app.inject({ url: '/status', remoteAddress: '10.1.20.30' });
    expect(lan.statusCode).toBe(200);
    const mapped = await t.app.inject({ url: '/status', remoteAddress: '::ffff:127.0.0.1' });
    expect(mapped.statusCode).toBe(200);
  });

  it("keeps Vigil's own routes: GET /health is still Vigil's", async () => {
    const res = await t.app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).not.toHaveProperty('camera_active');
  });

  it("stores the bedside readings in the patient's heart-rate history (source rppg)", async () => {
    const now = t.clock.now();
    const res = await t.app.inject({
      url: `/api/v1/patients/${patient.user.id}/heart-rate?from=${now - 60_000}&to=${now + 60_000}`,
      headers: patient.headers,
    });
    const obs = res.json<{ observations: { bpm: number; source: string }[] }>().observations;
    expect(obs.length).toBeGreaterThan(0);
    for (const o of obs) {
      expect(o.source).toBe('rppg');
      expect(Math.abs(o.bpm - VIDEO_BPM)).toBeLessThan(3);
    }
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/vigil_rppg_bedside_bpm\{session="[^"]+"\} 7\d/);
  });
});
