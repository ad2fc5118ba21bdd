import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeRppgFrame } from '@vigil/protocol';
import { createFaceVideoSynth, type FaceVideoSynth } from '@vigil/signal';
import { loadSynthFace, writeSynthVideo } from '@vigil/signal/io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  createDoctor,
  createPatient,
  createTestApp,
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

interface BpmAnswer {
  bpm: number | null;
  confidence: string;
  message: string;
  face_detected: boolean;
  buffer_fill: string;
  timestamp: number;
  signal_quality: string;
}

interface StreamMessage extends Partial<BpmAnswer> {
  type: string;
  code?: string;
  field?: string;
  waveform?: number[];
}

let t: TestApp;
let patient: TestUser;
let doctor: TestUser;
let dir = '';

beforeAll(async () => {
  t = await createTestApp();
  patient = await createPatient(t);
  doctor = await createDoctor(t);
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-rppg-test-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (u: TestUser) => ({ authorization: `Bearer ${u.token}` });

async function newSession(u: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/rppg/sessions',
    headers: auth(u),
    payload: body,
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ session_id: string }>().session_id;
}

/** A WebSocket client of a session's stream that records the server's messages. */
async function openStream(sessionId: string, token: string) {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const ws = new WebSocket(
    `ws://127.0.0.1:${address.port}/api/v1/rppg/sessions/${sessionId}/stream?token=${token}`,
  );
  const messages: StreamMessage[] = [];
  let closeCode: number | null = null;
  ws.on('message', (raw: Buffer) => messages.push(JSON.parse(raw.toString()) as StreamMessage));
  ws.on('close', (code) => {
    closeCode = code;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      resolve();
    });
    ws.once('error', reject);
  });
  /** Sends and waits until the server has answered `count` messages in all. */
  const until = async (pred: () => boolean): Promise<void> => {
    for (let i = 0; i < 600 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  };
  return { ws, messages, until, closeCode: () => closeCode };
}

describe('camera heart-rate sessions', () => {
  it('starts a session for the patient themselves, for a doctor only for their patients', async () => {
    const own = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rppg/sessions',
      headers: auth(patient),
      payload: {},
    });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ patient_id: patient.user.id, source: 'client' });
    const stranger = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rppg/sessions',
      headers: auth(doctor),
      payload: { patient_id: patient.user.id },
    });
    expect(stranger.statusCode).toBe(404);
    expect(stranger.json()).toMatchObject({ code: 'PATIENT_NOT_FOUND', field: 'patient_id' });
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rppg/sessions',
      headers: auth(doctor),
      payload: {},
    });
    expect(missing.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'patient_id' });
    const other = await createPatient(t, undefined, 'Other');
    const id = await newSession(other);
    const peek = await t.app.inject({
      url: `/api/v1/rppg/sessions/${id}/bpm`,
      headers: auth(patient),
    });
    expect(peek.statusCode).toBe(404);
    expect(peek.json()).toMatchObject({ code: 'RPPG_SESSION_NOT_FOUND' });
  });

  it('answers in the seed shapes before any frame: no number, and says why', async () => {
    const id = await newSession(patient);
    const bpm = await t.app.inject({
      url: `/api/v1/rppg/sessions/${id}/bpm`,
      headers: auth(patient),
    });
    expect(bpm.json()).toMatchObject({
      bpm: null,
      confidence: 'low',
      face_detected: false,
      buffer_fill: '0/200',
      signal_quality: 'poor',
      message: 'Waiting for camera frames',
    });
    const status = await t.app.inject({
      url: `/api/v1/rppg/sessions/${id}/status`,
      headers: auth(patient),
    });
    expect(Object.keys(status.json<object>()).sort()).toEqual(
      [
        'api_version',
        'buffer_size',
        'camera_active',
        'face_detected',
        'max_buffer_size',
        'signal_quality',
        'system_health',
        'time_since_last_update',
      ].sort(),
    );
    expect(status.json()).toMatchObject({ camera_active: false, system_health: 'unhealthy' });
    const frame = await t.app.inject({
      url: `/api/v1/rppg/sessions/${id}/current_frame`,
      headers: auth(patient),
    });
    expect(frame.statusCode).toBe(503);
    expect(frame.json()).toMatchObject({ code: 'RPPG_NO_FRAME' });
  });

  it('never reads or deletes a server file named in a JSON body sent to the video upload', async () => {
    const id = await newSession(patient);
    const victim = mkdtempSync(path.join(tmpdir(), 'vigil-rppg-victim-'));
    writeFileSync(path.join(victim, 'keep'), 'keep me');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/rppg/sessions/${id}/video`,
      headers: { ...auth(patient), 'content-type': 'application/json' },
      payload: { path: path.join(victim, 'keep'), dir: victim },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'RPPG_NOT_A_VIDEO', field: 'video' });
    expect(readFileSync(path.join(victim, 'keep'), 'utf8')).toBe('keep me');
    rmSync(victim, { recursive: true, force: true });
  });

  it('removes the spooled upload of a request refused before its handler (an id over 64 characters)', async () => {
    // Found by fuzzing the video upload: the body is spooled before params are validated, and a
    // refused request left its file (up to 200 MB each) in the temporary folder.
    const spoolRoot = mkdtempSync(path.join(tmpdir(), 'vigil-rppg-spool-test-'));
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = spoolRoot;
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/rppg/sessions/${'x'.repeat(65)}/video`,
        headers: { ...auth(patient), 'content-type': 'video/mp4' },
        payload: Buffer.alloc(100_000, 1),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'id' });
      // Removed once the answer is sent (onResponse), a moment after inject resolves.
      for (let i = 0; i < 40 && readdirSync(spoolRoot).length > 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(spoolRoot)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      rmSync(spoolRoot, { recursive: true, force: true });
    }
  });

  describe('privacy mode (mean colours over the WebSocket)', () => {
    /** Mean skin colour with a 72-bpm pulse mostly in green (as skin absorbs it). */
    const colour = (tMs: number) => {
      const p = Math.sin((2 * Math.PI * 72 * tMs) / 60_000);
      return { r: 150 + 0.3 * p, g: 110 + 0.6 * p, b: 90 + 0.15 * p };
    };

    it('reads 72 bpm within 3 from 15 s of mean colours at 20 fps and stores it for the patient', async () => {
      const id = await newSession(patient);
      const s = await openStream(id, patient.token);
      const t0 = t.clock.now();
      for (let i = 0; i < 300; i++) {
        const ts = t0 + i * 50;
        s.ws.send(JSON.stringify({ type: 'mean_rgb', timestamp_ms: ts, ...colour(ts) }));
      }
      await s.until(() => s.messages.some((m) => m.buffer_fill === '200/200'));
      s.ws.close();
      const last = s.messages.filter((m) => m.type === 'estimate').at(-1);
      expect(last?.confidence).toBe('high');
      expect(Math.abs((last?.bpm ?? 0) - 72)).toBeLessThan(3);
      expect(last?.waveform?.length).toBe(100);
      const history = await t.app.inject({
        url: `/api/v1/patients/${patient.user.id}/heart-rate?from=${t0 - 1000}&to=${t0 + 60_000}`,
        headers: auth(patient),
      });
      const obs = history.json<{ observations: { bpm: number; source: string }[] }>().observations;
      expect(obs.length).toBeGreaterThan(0);
      for (const o of obs) {
        expect(o.source).toBe('rppg');
        expect(Math.abs(o.bpm - 72)).toBeLessThan(3);
      }
    });

    it('refuses capture times that are not epoch ms of a set clock naming timestamp_ms, storing nothing', async () => {
      // Found by fuzzing the stream: 15 s of colours at 1e16 ms (beyond 2^53) stored
      // observations that PostgreSQL could not read back; at -1e15 they were stored as well.
      const id = await newSession(patient);
      const s = await openStream(id, patient.token);
      for (const t0 of [1e16, -1e15]) {
        for (let i = 0; i < 10; i++) {
          const ts = t0 + i * 50;
          s.ws.send(JSON.stringify({ type: 'mean_rgb', timestamp_ms: ts, ...colour(ts) }));
        }
      }
      await s.until(() => s.messages.length >= 20);
      s.ws.send(encodeRppgFrame(Number.NaN, new Uint8Array([0xff, 0xd8, 0xff])));
      await s.until(() => s.messages.length >= 21);
      s.ws.close();
      expect(s.messages).toHaveLength(21);
      for (const m of s.messages)
        expect(m).toMatchObject({
          type: 'error',
          code: 'VALIDATION_FAILED',
          field: 'timestamp_ms',
        });
      const rows = await t.container.database.db
        .selectFrom('heart_rate_observations')
        .select('ts')
        .where('session_id', '=', id)
        .execute();
      expect(rows).toEqual([]);
    });

    it('gives no number at 1 frame per second, and says the frame rate is too low', async () => {
      const id = await newSession(patient);
      const s = await openStream(id, patient.token);
      const t0 = t.clock.now();
      for (let i = 0; i < 12; i++) {
        const ts = t0 + i * 1000;
        s.ws.send(JSON.stringify({ type: 'mean_rgb', timestamp_ms: ts, ...colour(ts) }));
      }
      await s.until(() => s.messages.filter((m) => m.type === 'estimate').length >= 12);
      s.ws.close();
      const last = s.messages.at(-1);
      expect(last?.bpm).toBeNull();
      expect(last?.message).toMatch(/Frame rate too low \(1\.0 fps\)/);
    });

    it('refuses a bad message naming the field, and the session goes on', async () => {
      const id = await newSession(patient);
      const s = await openStream(id, patient.token);
      const t0 = t.clock.now();
      s.ws.send(JSON.stringify({ type: 'mean_rgb', timestamp_ms: t0, r: -1, g: 1, b: 1 }));
      s.ws.send('not json');
      s.ws.send(JSON.stringify({ type: 'mean_rgb', timestamp_ms: t0 + 50, r: 150, g: 110, b: 90 }));
      s.ws.send(JSON.stringify({ type: 'mean_rgb', timestamp_ms: t0, r: 150, g: 110, b: 90 }));
      await s.until(() => s.messages.length >= 4);
      s.ws.close();
      expect(s.messages[0]).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED', field: 'r' });
      expect(s.messages[1]).toMatchObject({ type: 'error', code: 'MALFORMED_REQUEST' });
      expect(s.messages[2]).toMatchObject({ type: 'estimate', face_detected: true });
      expect(s.messages[3]).toMatchObject({
        type: 'error',
        code: 'RPPG_CORRUPT_FRAME',
        field: 'timestamp_ms',
      });
    });

    it('opens camera_no_face through the alert lifecycle after 10 s without a face', async () => {
      const id = await newSession(patient);
      const s = await openStream(id, patient.token);
      const t0 = t.clock.now() + 100_000;
      for (let i = 0; i <= 12; i++)
        s.ws.send(
          JSON.stringify({
            type: 'mean_rgb',
            timestamp_ms: t0 + i * 1000,
            r: 1,
            g: 1,
            b: 1,
            face_detected: false,
          }),
        );
      await s.until(() => s.messages.length >= 13);
      s.ws.close();
      await t.container.services.alerts.idle();
      const alerts = await t.app.inject({
        url: `/api/v1/alerts?patient_id=${patient.user.id}`,
        headers: auth(patient),
      });
      const list = alerts.json<{ items: { rule_kind: string }[] }>().items;
      expect(list.map((a) => a.rule_kind)).toContain('camera_no_face');
    });

    it('refuses a stream without a valid token (close code 4401)', async () => {
      const id = await newSession(patient);
      const s = await openStream(id, 'nonsense');
      await s.until(() => s.closeCode() !== null);
      expect(s.messages[0]).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
      expect(s.closeCode()).toBe(4401);
    });
  });

  describe.skipIf(!hasFfmpeg())('frames and videos (BlazeFace, ffmpeg)', () => {
    let synth: FaceVideoSynth;
    beforeAll(async () => {
      synth = createFaceVideoSynth({
        face: await loadSynthFace(),
        width: 320,
        height: 240,
        fps: 15,
        durationSeconds: 14,
        bpm: 72,
        bpmWanderSd: 0,
        seed: 5,
      });
    });

    it('reads 72 bpm within 3 from JPEG frames, and a corrupt frame is refused without ending the session', async () => {
      const id = await newSession(patient);
      const s = await openStream(id, patient.token);
      const t0 = t.clock.now() + 200_000;
      let sent = 0;
      const send = async (message: Uint8Array) => {
        // A few frames in flight, as a client pacing itself on the server's answers.
        await s.until(() => sent - s.messages.length < 4);
        s.ws.send(message);
        sent++;
      };
      // The frames as a webcam page sends them: JPEGs (here from ffmpeg's libjpeg, quality 2).
      const y4m = path.join(dir, 'frames.y4m');
      await writeSynthVideo(synth, y4m);
      execFileSync('ffmpeg', ['-v', 'error', '-i', y4m, '-q:v', '2', path.join(dir, 'f%03d.jpg')]);
      for (let i = 0; i < synth.frameCount; i++) {
        const jpeg = readFileSync(path.join(dir, `f${String(i + 1).padStart(3, '0')}.jpg`));
        const ts = t0 + (i * 1000) / synth.fps;
        await send(encodeRppgFrame(ts, jpeg));
        if (i === 20) {
          await send(encodeRppgFrame(ts + 1, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])));
          await send(new Uint8Array([9, 9]));
        }
      }
      await s.until(() => s.messages.length === sent);
      s.ws.close();
      const errors = s.messages.filter((m) => m.type === 'error');
      expect(errors).toEqual([
        expect.objectContaining({ code: 'RPPG_CORRUPT_FRAME', field: 'jpeg' }),
        expect.objectContaining({ code: 'RPPG_CORRUPT_FRAME', field: 'header' }),
      ]);
      const bpm = (
        await t.app.inject({ url: `/api/v1/rppg/sessions/${id}/bpm`, headers: auth(patient) })
      ).json<BpmAnswer>();
      expect(bpm.face_detected).toBe(true);
      expect(['medium', 'high']).toContain(bpm.confidence);
      expect(Math.abs((bpm.bpm ?? 0) - 72)).toBeLessThan(3);
      const frame = (
        await t.app.inject({
          url: `/api/v1/rppg/sessions/${id}/current_frame`,
          headers: auth(patient),
        })
      ).json<{ frame: string; face_detected: boolean; bpm: number }>();
      const jpeg = Buffer.from(frame.frame, 'base64');
      expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
      expect(frame.face_detected).toBe(true);
    }, 300_000);

    it('analyses an uploaded MP4 and stores its readings as heart-rate observations', async () => {
      const file = path.join(dir, 'face-72.mp4');
      // Near-lossless: x264 at its default CRF 12 smooths away the 0.6 % synthetic pulse
      // (measured: SNR -4 dB against +6 dB at CRF 4), as strong compression does to real rPPG.
      await writeSynthVideo(synth, file, { crf: 4 });
      const id = await newSession(patient);
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/rppg/sessions/${id}/video`,
        headers: { ...auth(patient), 'content-type': 'video/mp4' },
        payload: readFileSync(file),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<{
        frames: number;
        face_frames: number;
        fps: number;
        observations_stored: number;
        result: BpmAnswer;
      }>();
      expect(body.frames).toBe(synth.frameCount);
      expect(body.face_frames).toBe(synth.frameCount);
      expect(body.fps).toBe(15);
      expect(Math.abs((body.result.bpm ?? 0) - 72)).toBeLessThan(3);
      expect(body.observations_stored).toBeGreaterThan(0);
      const metrics = await t.app.inject({ url: '/metrics' });
      expect(metrics.body).toMatch(/vigil_rppg_frames_total\{source="video",result="face"\} \d+/);
      expect(metrics.body).toMatch(/vigil_rppg_videos_total\{outcome="analysed"\} 1/);
    }, 300_000);

    it('refuses a non-video upload (415), another content type (415) and a 10-minute video (413)', async () => {
      const id = await newSession(patient);
      const notVideo = await t.app.inject({
        method: 'POST',
        url: `/api/v1/rppg/sessions/${id}/video`,
        headers: { ...auth(patient), 'content-type': 'video/mp4' },
        payload: Buffer.from('this is a text file, not a video\n'.repeat(100)),
      });
      expect(notVideo.statusCode).toBe(415);
      expect(notVideo.json()).toMatchObject({ code: 'RPPG_NOT_A_VIDEO', field: 'video' });
      const text = await t.app.inject({
        method: 'POST',
        url: `/api/v1/rppg/sessions/${id}/video`,
        headers: { ...auth(patient), 'content-type': 'text/plain' },
        payload: 'hello',
      });
      expect(text.statusCode).toBe(415);
      const long = path.join(dir, 'ten-minutes.mp4');
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'color=c=gray:size=64x48:rate=1',
        '-t',
        '600',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        long,
      ]);
      const tooLong = await t.app.inject({
        method: 'POST',
        url: `/api/v1/rppg/sessions/${id}/video`,
        headers: { ...auth(patient), 'content-type': 'video/mp4' },
        payload: readFileSync(long),
      });
      expect(tooLong.statusCode).toBe(413);
      expect(tooLong.json()).toMatchObject({ code: 'RPPG_VIDEO_TOO_LONG' });
      // Nothing of a refused upload is stored.
      const history = await t.app.inject({
        url: `/api/v1/patients/${patient.user.id}/heart-rate`,
        headers: auth(patient),
      });
      const sessions = history.json<{ observations: { session_id: string }[] }>().observations;
      expect(sessions.some((o) => o.session_id === id)).toBe(false);
    }, 120_000);

    it('names the video types it takes when a video is sent as a multipart form or as AVI (415)', async () => {
      // Before: 'Content-Type "multipart/form-data" is not accepted by this endpoint (JSON bodies
      // are application/json)', pointing the uploader at a type the endpoint does not take.
      const id = await newSession(patient);
      for (const type of ['multipart/form-data; boundary=x', 'video/x-msvideo']) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/rppg/sessions/${id}/video`,
          headers: { ...auth(patient), 'content-type': type },
          payload: Buffer.alloc(16),
        });
        expect(res.statusCode).toBe(415);
        expect(res.json()).toMatchObject({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          field: 'content-type',
          message: `Content-Type ${JSON.stringify(type.split(';')[0])} is not accepted by this endpoint (it takes video/mp4, video/webm or video/quicktime, the file itself as the body)`,
        });
      }
    });

    it('refuses an upload whose Content-Length is above 200 MB before reading it (413)', async () => {
      const id = await newSession(patient);
      writeFileSync(path.join(dir, 'x'), '');
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/rppg/sessions/${id}/video`,
        headers: {
          ...auth(patient),
          'content-type': 'video/webm',
          'content-length': String(300 * 1024 * 1024),
        },
        payload: Buffer.alloc(16),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'RPPG_VIDEO_TOO_LARGE' });
    });
  });
});
