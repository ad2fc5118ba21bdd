/**
 * bench/readings: baby monitor uploads. Through a real server on a local port (HTTP
 * keep-alive, so routing, auth, multipart parsing, ffmpeg decoding, cry detection, the database
 * write, the alert rules and the WebSocket publish are all included):
 *   - baseline: `POST /api/v1/readings` JSON reading without audio, with a monitor's key;
 *   - the same reading as multipart with a 7 s clip (8 kHz 16-bit WAV, 112 KB);
 * and in-process, on the same clip: `decodeAudio` (a WAV at 8 kHz is read in process; the same
 * clip through ffmpeg, what other formats cost, for comparison) and `detectCry` (the
 * classification alone). Targets: upload answered < 300 ms, classification < 100 ms.
 *
 *   npm run bench:readings                                   # SQLite (temp file)
 *   npm run bench:readings -- ../shared/data/donateacry/cleaned/hungry/<file>.wav
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:readings
 *
 * Default clip: the simulator's committed 4 s cry, looped to 7 s (a Donate-a-Cry clip's length).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { detectCry } from '../../packages/signal/src/audio/detect-cry.js';
import { decodeAudio } from '../../packages/signal/src/io/decode-audio.js';
import { createBenchApp } from '../common/bench-app.js';

const RUNS = 40;
const WARMUP = 5;
const RATE_HZ = 8000;

/** A 16-bit mono PCM WAV of `samples` at 8 kHz. */
function wav(samples: Int16Array): Buffer {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples.length * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(RATE_HZ, 24);
  b.writeUInt32LE(RATE_HZ * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i] ?? 0, 44 + 2 * i);
  return b;
}

function sevenSecondClip(): { bytes: Buffer; name: string } {
  const file = process.argv[2];
  if (file !== undefined) {
    const full = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
    return { bytes: readFileSync(full), name: path.basename(full) };
  }
  const four = readFileSync(
    new URL('../../packages/sim/assets/baby-monitor/cry-discomfort-4s.wav', import.meta.url),
  );
  const src = new Int16Array((four.length - 44) / 2);
  for (let i = 0; i < src.length; i++) src[i] = four.readInt16LE(44 + 2 * i);
  const seven = Int16Array.from({ length: 7 * RATE_HZ }, (_, i) => src[i % src.length] ?? 0);
  return { bytes: wav(seven), name: 'cry-7s.wav' };
}

async function measure(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let r = 0; r < RUNS + WARMUP; r++) {
    const s = performance.now();
    await run();
    if (r >= WARMUP) ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return {
    p50: ms[Math.floor(ms.length / 2)] ?? NaN,
    p95: ms[Math.floor(ms.length * 0.95)] ?? NaN,
  };
}

const bench = await createBenchApp('readings');
const { app, container, dataDir } = bench;

try {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  const url = `http://127.0.0.1:${address.port}/api/v1/readings`;
  const { services } = container;
  const email = `bench-${randomBytes(3).toString('hex')}@example.test`;
  await services.auth.bootstrapAdmin(email, 'bench-password-1');
  const admin = await services.auth.login(email, 'bench-password-1');
  const actor = { id: admin.user.id, role: admin.user.role, email };
  const doctorUser = await services.users.create(actor, {
    email: `doc-${randomBytes(3).toString('hex')}@example.test`,
    name: 'Bench Doctor',
    password: 'bench-password-2',
    role: 'doctor',
  });
  const doctor = { id: doctorUser.id, role: doctorUser.role, email: doctorUser.email };
  const patient = await services.users.create(doctor, {
    email: `baby-${randomBytes(3).toString('hex')}@example.test`,
    name: 'Bench Baby',
    password: 'bench-password-3',
    role: 'patient',
  });
  const monitor = await services.devices.register(doctor, {
    device_id: 'BENCH-BABY',
    patient_id: patient.id,
  });
  const key = { 'x-api-key': monitor.api_key };
  const clip = sevenSecondClip();

  const post = async (init: RequestInit): Promise<{ cry_probability: number | null }> => {
    const res = await fetch(url, { method: 'POST', ...init });
    const body = (await res.json()) as { cry_probability: number | null };
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const json = await measure(() =>
    post({
      headers: { ...key, 'content-type': 'application/json' },
      body: JSON.stringify({ temperature: 37.1, humidity: 50 }),
    }),
  );
  let probability: number | null = null;
  const upload = await measure(async () => {
    const form = new FormData();
    form.set('temperature', '37.1');
    form.set('humidity', '50');
    form.set('audio', new Blob([new Uint8Array(clip.bytes)], { type: 'audio/wav' }), clip.name);
    probability = (await post({ headers: key, body: form })).cry_probability;
  });
  const decode = await measure(() => decodeAudio(clip.bytes, { sampleRateHz: RATE_HZ }));
  // The same clip from a file path goes through ffmpeg (what every non-WAV upload costs).
  const clipPath = path.join(dataDir, clip.name);
  writeFileSync(clipPath, clip.bytes);
  const viaFfmpeg = await measure(() => decodeAudio(clipPath, { sampleRateHz: RATE_HZ }));
  const decoded = await decodeAudio(clip.bytes, { sampleRateHz: RATE_HZ });
  const classify = await measure(() => Promise.resolve(detectCry(decoded.samples, RATE_HZ)));

  const fmt = (x: number) => x.toFixed(1).padStart(7);
  console.log(
    `database: ${container.database.dialect}; clip ${clip.name}: ${(decoded.samples.length / RATE_HZ).toFixed(1)} s, ${clip.bytes.length} bytes, cry probability ${String(probability)}`,
  );
  console.log(`(${RUNS} runs each after ${WARMUP} warm-up)      p50 ms   p95 ms  p50 / baseline`);
  for (const [name, r] of [
    ['baseline: JSON reading, no audio', json],
    ['upload: multipart, 7 s clip', upload],
    ['  decodeAudio alone (WAV, in process)', decode],
    ['  (decodeAudio of it through ffmpeg)', viaFfmpeg],
    ['  detectCry alone (classification)', classify],
  ] as const)
    console.log(
      `${name.padEnd(36)} ${fmt(r.p50)}  ${fmt(r.p95)}  ${(r.p50 / json.p50).toFixed(1).padStart(9)}`,
    );
  console.log(
    `targets: upload < 300 ms -> ${upload.p95 < 300 ? 'met' : 'NOT met'} (p95); classification < 100 ms -> ${classify.p95 < 100 ? 'met' : 'NOT met'} (p95)`,
  );
} finally {
  await bench.close();
}
