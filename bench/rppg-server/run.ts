/**
 * Camera heart rate through the server path: each generated face video (createFaceVideoSynth,
 * written as near-lossless MP4) is uploaded to a session of a real Vigil app (SQLite in memory,
 * app.inject) and analysed as an upload is (ffmpeg child process, BlazeFace, POS estimator,
 * observations stored). Prints per video the error of the final reading against the video's rate,
 * the confidence, the frames analysed per second (the server's own `processing_fps`) and, for
 * speed, the ratio to a baseline measured in the same run on the same file: the same frames
 * through @vigil/signal alone (decodeVideoFrames + detector + estimator, no HTTP, no database).
 *
 * Run: npm run bench:rppg-server [-- --width 640 --height 480 --fps 30 --duration 15]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  createFaceVideoSynth,
  createRppgEstimator,
  type FaceVideoSynthOptions,
} from '@vigil/signal';
import { decodeVideoFrames, loadSynthFace, writeSynthVideo } from '@vigil/signal/io';
import { createFaceDetector } from '@vigil/signal/vision';
import { buildApp } from '../../packages/server/src/app.js';
import { createContainer } from '../../packages/server/src/composition.js';
import { loadConfig } from '../../packages/server/src/config/env.js';

const { values } = parseArgs({
  options: {
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '480' },
    fps: { type: 'string', default: '30' },
    duration: { type: 'string', default: '15' },
  },
});
const size = { width: Number(values.width), height: Number(values.height) };
const fps = Number(values.fps);
const durationSeconds = Number(values.duration);

type Scenario = { name: string; pulse: boolean } & Omit<FaceVideoSynthOptions, 'face'>;
const scenarios: Scenario[] = [
  { name: 'still-60', pulse: true, bpm: 60 },
  { name: 'still-72', pulse: true, bpm: 72 },
  { name: 'still-90', pulse: true, bpm: 90 },
  { name: 'still-120', pulse: true, bpm: 120 },
  { name: 'low-amplitude-78', pulse: true, bpm: 78, pulseAmplitude: 0.002 },
  { name: 'head-motion-84', pulse: true, bpm: 84, motionPx: 25, motionHz: 0.3 },
  { name: 'flicker-66', pulse: true, bpm: 66, flickerAmplitude: 0.02, flickerHz: 1.5 },
  { name: 'no-pulse', pulse: false, bpm: 72, pulseAmplitude: 0 },
];

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-rppg-'));
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_SECRET: randomBytes(32).toString('hex'),
  MQTT_PORT: '0',
});
const container = await createContainer(config, { database: { sqlitePath: ':memory:' } });
const app = await buildApp({ ...container, plugins: [] });
const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
await container.services.auth.register({ email, password: 'correct-horse-9', name: 'Bench' });
const login = await app.inject({
  method: 'POST',
  url: '/api/v1/auth/login',
  payload: { email, password: 'correct-horse-9' },
});
const token = login.json<{ access_token: string }>().access_token;
const headers = { authorization: `Bearer ${token}` };
const face = await loadSynthFace();
const detector = await createFaceDetector();

const errors: number[] = [];
let serverSeconds = 0;
let baselineSeconds = 0;
console.log(
  `server path, ${size.width}×${size.height} at ${fps} fps, ${durationSeconds} s per video (MP4, CRF 4)`,
);
console.log('video               truth  bpm    error  confidence  quality  server fps  ratio');
for (const s of scenarios) {
  const synth = createFaceVideoSynth({
    face,
    ...size,
    fps,
    durationSeconds,
    bpmWanderSd: 0,
    ...s,
  });
  const file = path.join(dir, `${s.name}.mp4`);
  await writeSynthVideo(synth, file, { crf: 4 });
  const session = await app.inject({
    method: 'POST',
    url: '/api/v1/rppg/sessions',
    headers,
    payload: {},
  });
  const id = session.json<{ session_id: string }>().session_id;
  const started = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/rppg/sessions/${id}/video`,
    headers: { ...headers, 'content-type': 'video/mp4' },
    payload: readFileSync(file),
  });
  const server = (performance.now() - started) / 1000;
  const body = res.json<{
    frames: number;
    processing_fps: number;
    result: { bpm: number | null; confidence: string; signal_quality: string };
  }>();
  // Baseline: the same file through @vigil/signal alone.
  const t0 = performance.now();
  const estimator = createRppgEstimator();
  for await (const frame of decodeVideoFrames(file)) {
    const [box] = await detector.detect(frame.pixels, frame.width, frame.height);
    estimator.pushFrame({ frame, box: box ?? null, timestampMs: frame.timestampMs });
  }
  const baseline = (performance.now() - t0) / 1000;
  serverSeconds += server;
  baselineSeconds += baseline;
  const bpm = body.result.bpm;
  const error = bpm === null || !s.pulse ? null : bpm - (s.bpm ?? 0);
  if (error !== null && body.result.confidence !== 'low') errors.push(Math.abs(error));
  console.log(
    [
      s.name.padEnd(18),
      String(s.pulse ? s.bpm : '-').padStart(5),
      String(bpm ?? '-').padStart(6),
      (error === null ? '-' : error.toFixed(1)).padStart(6),
      body.result.confidence.padStart(10),
      body.result.signal_quality.padStart(8),
      body.processing_fps.toFixed(1).padStart(11),
      (baseline / server).toFixed(2).padStart(6),
    ].join(' '),
  );
}
const mae = errors.reduce((a, e) => a + e, 0) / Math.max(1, errors.length);
console.log(
  `MAE over ${errors.length} videos with a medium/high reading: ${mae.toFixed(2)} bpm; ` +
    `server path at ${(baselineSeconds / serverSeconds).toFixed(2)}× the speed of @vigil/signal alone on the same files`,
);
await detector.close();
await app.close();
await container.close();
rmSync(dir, { recursive: true, force: true });
