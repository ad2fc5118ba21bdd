/**
 * Camera heart rate on synthetic face videos with a known pulse (createFaceVideoSynth: the
 * public-domain portrait in assets/, real PPG beat shape, camera noise): per video the error of
 * the last estimate against the true mean rate over its 10 s window, the confidence, the share
 * of full-buffer frames that gave a number, and the speed of the whole per-frame path (BlazeFace
 * on onnxruntime-node with one thread, skin mean, estimator) against a baseline measured in the
 * same run on the same frames: the skin mean alone (meanSkinRgb in a fixed box). Frame rendering
 * is not timed. Both POS (the default) and CHROM run on the same frames.
 *
 * Run: npm run bench:rppg [-- --duration 14 --only still-72]
 */
import { parseArgs } from 'node:util';
import { loadSynthFace } from '../src/io/load-synth-face.js';
import { createRppgEstimator, type RppgEstimate } from '../src/rppg/create-rppg-estimator.js';
import { meanSkinRgb } from '../src/rppg/mean-skin-rgb.js';
import {
  createFaceVideoSynth,
  type FaceVideoSynthOptions,
} from '../src/rppg/synth/create-face-video-synth.js';
import { createFaceDetector } from '../src/vision/create-face-detector.js';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '14' }, only: { type: 'string' } },
});
const duration = Number(values.duration);

type Scenario = { name: string; pulse: boolean; fps?: number } & Omit<
  FaceVideoSynthOptions,
  'face'
>;
const scenarios: Scenario[] = [
  { name: 'still-60', pulse: true, bpm: 60 },
  { name: 'still-72', pulse: true, bpm: 72 },
  { name: 'still-90', pulse: true, bpm: 90 },
  { name: 'still-120', pulse: true, bpm: 120 },
  { name: 'low-amplitude-78', pulse: true, bpm: 78, pulseAmplitude: 0.002 },
  { name: 'head-motion-84', pulse: true, bpm: 84, motionPx: 25, motionHz: 0.3 },
  {
    name: 'flicker-66',
    pulse: true,
    bpm: 66,
    flickerAmplitude: 0.02,
    flickerHz: 1.5,
    lightingDrift: 0.05,
  },
  { name: 'noisy-100', pulse: true, bpm: 100, noiseSd: 6, seed: 7 },
  { name: 'no-pulse', pulse: false, bpm: 0 },
  { name: 'no-pulse-flicker', pulse: false, bpm: 0, flickerAmplitude: 0.02, flickerHz: 1.2 },
  { name: 'fast-motion-72', pulse: true, bpm: 72, motionPx: 40, motionHz: 0.6 },
  { name: '1-fps-72', pulse: true, bpm: 72, fps: 1 },
];

const face = await loadSynthFace();
const detector = await createFaceDetector({ threads: 1 });
const windowSeconds = 10;
const rows: string[][] = [];
const accepted: number[] = [];
let frames640 = 0;
let pipelineMs = 0;
let baselineMs = 0;
let detectorMs = 0;
let missed = 0;

for (const scenario of scenarios) {
  if (values.only !== undefined && scenario.name !== values.only) continue;
  const { name, pulse, ...synthOptions } = scenario;
  const synth = createFaceVideoSynth({ face, durationSeconds: duration, ...synthOptions });
  const pos = createRppgEstimator({ method: 'pos' });
  const chrom = createRppgEstimator({ method: 'chrom' });
  let last: RppgEstimate | null = null;
  let lastChrom: RppgEstimate | null = null;
  let fullFrames = 0;
  let numbered = 0;
  const truth: number[] = [];
  for (let i = 0; i < synth.frameCount; i++) {
    const frame = synth.frame(i);
    truth.push(frame.bpm);
    const t0 = performance.now();
    const boxes = await detector.detect(frame.pixels, frame.width, frame.height);
    const t1 = performance.now();
    const box = boxes[0] ?? null;
    if (box === null) missed++;
    last = pos.pushFrame({ frame, box, timestampMs: frame.timestampMs });
    const t2 = performance.now();
    lastChrom = chrom.pushFrame({ frame, box, timestampMs: frame.timestampMs });
    // Baseline: the skin mean alone, in the synthetic face's known box.
    const t3 = performance.now();
    meanSkinRgb(frame, frame.faceBox);
    const t4 = performance.now();
    if (synth.width === 640 && synth.height === 480) {
      frames640++;
      pipelineMs += t2 - t0;
      detectorMs += t1 - t0;
      baselineMs += t4 - t3;
    }
    if (last.bufferCount === last.bufferSize) {
      fullFrames++;
      if (last.bpm !== null) numbered++;
    }
  }
  const windowFrames = Math.round(windowSeconds * synth.fps);
  const recent = truth.slice(-windowFrames);
  const trueBpm = pulse ? recent.reduce((a, b) => a + b, 0) / recent.length : null;
  const err = (e: RppgEstimate | null): string =>
    e?.bpm === null || e === null || trueBpm === null ? '-' : (e.bpm - trueBpm).toFixed(1);
  if (pulse && trueBpm !== null && last?.bpm != null && last.confidence !== 'low') {
    accepted.push(Math.abs(last.bpm - trueBpm));
  }
  rows.push([
    name,
    trueBpm === null ? 'none' : trueBpm.toFixed(1),
    last?.bpm == null ? 'null' : last.bpm.toFixed(1),
    err(last),
    last?.confidence ?? '-',
    last?.signalQuality ?? '-',
    last?.snrDb == null ? '-' : last.snrDb.toFixed(1),
    fullFrames === 0 ? '-' : `${Math.round((100 * numbered) / fullFrames)}%`,
    lastChrom?.bpm == null ? 'null' : `${lastChrom.bpm.toFixed(1)} ${lastChrom.confidence}`,
    err(lastChrom),
    (last?.message ?? '').slice(0, 48),
  ]);
}
await detector.close();

const header = [
  'video',
  'true bpm',
  'POS bpm',
  'err',
  'confidence',
  'quality',
  'SNR dB',
  'numbered',
  'CHROM bpm conf',
  'err',
  'message',
];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
const line = (r: string[]): string => r.map((v, c) => v.padEnd(widths[c] ?? 0)).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
const mae = accepted.length === 0 ? NaN : accepted.reduce((a, b) => a + b, 0) / accepted.length;
console.log(
  `\nPOS MAE over the ${accepted.length} pulsed videos reported with medium/high confidence: ${mae.toFixed(2)} bpm` +
    ` (max ${Math.max(...accepted).toFixed(2)}); 'numbered' = share of full-buffer frames with a number.`,
);
if (frames640 > 0) {
  const fps = (1000 * frames640) / pipelineMs;
  const baseFps = (1000 * frames640) / baselineMs;
  console.log(
    `Speed, 640×480, one thread, ${frames640} frames: detection + skin mean + POS estimator ${fps.toFixed(0)} frames/s` +
      ` (detection alone ${((1000 * frames640) / detectorMs).toFixed(0)} frames/s); baseline skin mean alone ${baseFps.toFixed(0)} frames/s;` +
      ` ratio pipeline/baseline time ${(pipelineMs / baselineMs).toFixed(1)}×; frames without a detected face: ${missed}.`,
  );
}
