/**
 * QRS detection benchmark: `npm run bench:qrs -- <data dir> [--channel N] [--start S]`.
 * For every WFDB record of the folder that has reference annotations (`.atr`), it detects beats
 * exactly as `vigil-signal ecg detect` does (`detectRecordPeaks`), scores them per ANSI/AAMI
 * EC57 (`ec57Compare`: 150 ms window, first `--start` s skipped, default 300, beat labels only,
 * detections inside reference ventricular flutter ignored as in bxb) and prints per-record and
 * gross Se/+P, then throughput: samples per second of detection alone (record in memory) and of
 * decoding + detection, with a baseline measured in the same run (one causal biquad pass over
 * the same samples) so the ratio is comparable across machines.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { detectRecordPeaks, recordChannel } from '../src/cli/commands/ecg-detect.js';
import { createQrsDetector } from '../src/ecg/create-qrs-detector.js';
import { designButterworth } from '../src/filters/design-butterworth.js';
import { resample } from '../src/filters/resample.js';
import { sosFilter } from '../src/filters/sos-filter.js';
import { readAnnotations } from '../src/io/read-annotations.js';
import { readWfdbRecord } from '../src/io/read-wfdb-record.js';
import type { WfdbRecord } from '../src/io/wfdb-types.js';
import { ec57Compare, type Ec57Result } from '../src/tools/ec57-compare.js';
import { ec57Gross } from '../src/tools/ec57-gross.js';
import { ec57Reference } from '../src/tools/ec57-reference.js';

const { positionals, values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    channel: { type: 'string' },
    start: { type: 'string' },
    fs: { type: 'string' },
    'no-stream-check': { type: 'boolean' },
  },
  allowPositionals: true,
});
const dirArg = positionals[0];
if (dirArg === undefined) {
  console.error('usage: npm run bench:qrs -- <data dir> [--channel N] [--start S] [--fs Hz]');
  process.exit(2);
}
// npm runs workspace scripts in the package folder; resolve the folder from where npm was run.
const dir = resolve(process.env.INIT_CWD ?? process.cwd(), dirArg);
const channel = Number(values.channel ?? 0);
const startS = Number(values.start ?? 300);
// --fs: resample the channel to this rate first (band-limited, `resample`), detect at that
// rate, and map the peaks back to the record's sampling for scoring.
const fsOut = values.fs === undefined ? null : Number(values.fs);

const names = readdirSync(dir)
  .filter((f) => f.endsWith('.hea') && existsSync(join(dir, `${f.slice(0, -4)}.atr`)))
  .map((f) => f.slice(0, -4))
  .sort();
if (names.length === 0) {
  console.error(`no WFDB records with .atr annotations in ${dir}`);
  process.exit(2);
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);
const pct = (v: number): string => (Number.isNaN(v) ? '      -' : pad(v.toFixed(3), 7));
console.log(
  `EC57 QRS detection, ${dir}, channel ${channel}, scored from ${startS} s, 150 ms window` +
    (fsOut === null ? '' : `, detected after resampling to ${fsOut} Hz`),
);
console.log(
  `${'record'.padEnd(12)} ${pad('beats', 6)} ${pad('TP', 6)} ${pad('FN', 5)} ${pad('FP', 5)} ${pad('Se %', 7)} ${pad('+P %', 7)}`,
);

function resampleRecord(record: WfdbRecord, fs: number): WfdbRecord {
  const signals = record.signals.map((sig) => ({
    ...sig,
    physical: resample(sig.physical, record.fs, fs),
  }));
  return { ...record, fs, nSamples: signals[0]?.physical.length ?? 0, signals };
}

let seed = 42;
let streamIdentical = 0;
const REPEATS = 3;
/** CPU time (ms) of all timed detection runs, and of the baseline runs. */
const cpu = { detect: 0, baseline: 0 };
function bestOf(run: () => unknown, account: 'detect' | 'baseline'): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < REPEATS; k++) {
    const c = process.cpuUsage();
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
    const used = process.cpuUsage(c);
    cpu[account] += (used.user + used.system) / 1000;
  }
  return best;
}

const results: Ec57Result[] = [];
let samples = 0;
let detectMs = 0;
let decodeAndDetectMs = 0;
let baselineMs = 0;
const baseline = designButterworth({ type: 'lowpass', order: 2, cutoffHz: 40, fs: 1000 });
for (const name of names) {
  const path = join(dir, name);
  const t0 = performance.now();
  const original = await readWfdbRecord(path);
  const record = fsOut === null ? original : resampleRecord(original, fsOut);
  const detected = detectRecordPeaks(record, channel).peaks;
  decodeAndDetectMs += performance.now() - t0;
  const peaks = detected.map((p) => Math.round((p * original.fs) / record.fs));
  // Detection alone on the decoded record, same call as the CLI; best of REPEATS runs, so a
  // busy shared machine or JIT warm-up does not dominate (the baseline is timed the same way).
  detectMs += bestOf(() => detectRecordPeaks(record, channel), 'detect');
  const signal = record.signals[channel]?.physical ?? new Float64Array(0);
  baselineMs += bestOf(() => sosFilter(signal, baseline), 'baseline');
  samples += record.nSamples;

  // Streaming check: the live detector fed random packet sizes (1 sample to 2 s) must give
  // exactly the peaks of the offline call.
  if (values['no-stream-check'] !== true) {
    const ecg = recordChannel(record, channel);
    const detector = createQrsDetector({ fs: record.fs });
    const streamed: number[] = [];
    for (let i = 0; i < ecg.length;) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const size = 1 + (seed % Math.round(2 * record.fs));
      streamed.push(...detector.push(ecg.subarray(i, i + size)));
      i += size;
    }
    streamed.push(...detector.flush());
    const same = streamed.length === detected.length && streamed.every((p, k) => p === detected[k]);
    if (same) streamIdentical++;
    else console.log(`${name}: STREAMING DIFFERS (${streamed.length} vs ${detected.length} peaks)`);
  }
  const reference = ec57Reference(await readAnnotations(path));
  const r = ec57Compare(reference.beats, peaks, {
    fs: original.fs,
    startS,
    ignoreIntervals: reference.vfIntervals,
  });
  results.push(r);
  console.log(
    `${name.padEnd(12)} ${pad(r.tp + r.fn, 6)} ${pad(r.tp, 6)} ${pad(r.fn, 5)} ${pad(r.fp, 5)} ${pct(r.sensitivity)} ${pct(r.positivePredictivity)}`,
  );
}
const g = ec57Gross(results);
console.log(
  `${'gross'.padEnd(12)} ${pad(g.tp + g.fn, 6)} ${pad(g.tp, 6)} ${pad(g.fn, 5)} ${pad(g.fp, 5)} ${pct(g.sensitivity)} ${pct(g.positivePredictivity)}`,
);
if (values['no-stream-check'] !== true) {
  console.log(
    `\nstreaming (random packets of 1 sample to 2 s) == offline on ${streamIdentical}/${names.length} records`,
  );
}
const msps = (ms: number): string => (samples / ms / 1000).toFixed(1);
console.log(`\nthroughput over ${samples} samples (${names.length} records, one core):`);
console.log(`  detection only (in memory, best of ${REPEATS}):  ${msps(detectMs)} M samples/s`);
// On a shared, busy machine wall-clock time includes waiting for a core; CPU time does not.
console.log(
  `  detection only, per CPU second:  ${msps(cpu.detect / REPEATS)} M samples/s (baseline ${msps(cpu.baseline / REPEATS)})`,
);
console.log(
  `  decoding + detection (first run):  ${msps(decodeAndDetectMs)} M samples/s` +
    (fsOut === null ? '' : ' (includes resampling)'),
);
console.log(
  `  baseline (one biquad pass, best of ${REPEATS}):  ${msps(baselineMs)} M samples/s; detection costs ${(detectMs / baselineMs).toFixed(2)}× the baseline`,
);
