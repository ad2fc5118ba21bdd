/**
 * Replays the traces of dump-rppg-traces.ts through createRppgEstimator (`pushMeanRgb` with the
 * raw box: the estimator smooths it as in face mode) and writes, per scored window (one a second
 * once the buffer is full, as eval-rppg scores them), what the estimator saw and said and the
 * contact reference of the same 10 s. Checks that the replay gives the live run's numbers.
 *
 * Run: npx tsx --conditions vigil-source packages/signal/src/tools/rppg-trace-windows.ts <trace-dir> <out.json>
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRppgEstimator } from '../rppg/create-rppg-estimator.js';
import type { SpectralPeak } from '../rppg/pulse-spectrum.js';
import { referenceWindowBpm } from './reference-window-bpm.js';
import type { RppgTraceFrame } from './rppg-trace-frame.js';

export interface TraceWindow {
  video: string;
  endMs: number;
  /** The estimator's number (today's gate) or null. */
  bpm: number | null;
  confidence: string;
  snrDb: number;
  candidateBpm: number;
  peaks: SpectralPeak[];
  harmonicPowerRatio: number;
  motionFraction: number;
  referenceBpm: number;
  referenceSnrDb: number;
}

interface Trace {
  name: string;
  frames: RppgTraceFrame[];
  reference: { timesMs: number[]; ppg: number[]; hrBpm: number[] };
}

const [dir, out] = process.argv.slice(2);
if (dir === undefined || out === undefined) {
  console.error('usage: rppg-trace-windows.ts <trace-dir> <out.json>');
  process.exit(2);
}
const windows: TraceWindow[] = [];
let mismatches = 0;
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const trace = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Trace;
  const reference = {
    timesMs: Float64Array.from(trace.reference.timesMs),
    ppg: Float64Array.from(trace.reference.ppg),
    hrBpm: Float64Array.from(trace.reference.hrBpm),
  };
  // As eval-rppg: a reference without one sample per frame (±1 %) cannot be aligned.
  if (Math.abs(reference.timesMs.length - trace.frames.length) > 0.01 * trace.frames.length) {
    console.log(`${trace.name}: reference does not align with the frames, skipped`);
    continue;
  }
  const estimator = createRppgEstimator();
  let lastSecond = -1;
  for (const f of trace.frames) {
    const estimate = f.face
      ? estimator.pushMeanRgb({
          r: f.r,
          g: f.g,
          b: f.b,
          timestampMs: f.t,
          ...(f.box === null
            ? {}
            : { box: { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] } }),
        })
      : estimator.pushMeanRgb({ r: 1, g: 1, b: 1, timestampMs: f.t, faceDetected: false });
    if (estimate.bpm !== f.bpm) mismatches++;
    const second = Math.floor(f.t / 1000);
    const endMs = reference.timesMs[f.i];
    if (
      endMs === undefined ||
      estimate.bufferCount !== estimate.bufferSize ||
      second === lastSecond
    )
      continue;
    lastSecond = second;
    const windowMs = ((estimate.bufferSize - 1) * 1000) / estimate.waveformRateHz;
    const truth = referenceWindowBpm(reference, endMs - windowMs, endMs);
    windows.push({
      video: trace.name,
      endMs,
      bpm: estimate.bpm,
      confidence: estimate.confidence,
      snrDb: estimate.snrDb ?? NaN,
      candidateBpm: estimate.candidateBpm ?? NaN,
      peaks: estimate.candidatePeaks,
      harmonicPowerRatio: estimate.harmonicPowerRatio ?? NaN,
      motionFraction: estimate.motionFraction,
      referenceBpm: truth.bpm,
      referenceSnrDb: truth.snrDb,
    });
  }
}
writeFileSync(out, JSON.stringify(windows));
const numbered = windows.filter((w) => w.bpm !== null);
const right = numbered.filter((w) => Math.abs((w.bpm ?? 0) - w.referenceBpm) <= 5).length;
console.log(
  `${windows.length} windows, ${numbered.length} numbered (${right} within 5 bpm); ` +
    `frames whose replayed number differs from the live run: ${mismatches}`,
);
