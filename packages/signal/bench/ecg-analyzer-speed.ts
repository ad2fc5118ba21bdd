/**
 * Per-packet cost of the live analyzer (`createEcgAnalyzer`) on real ECG, with baselines measured
 * in the same run, alternating, so the ratios hold on a shared machine:
 * - the whole `push` against the bare streaming QRS detector (`createQrsDetector`) fed the same
 *   packets: what the analysis adds to finding the beats;
 * - the signal-quality part (the tracker's `addBlock` per 2 s block) against the exact definition
 *   it reproduces, `signalQuality` of the block and of the 12 s window ending there (two calls
 *   per block: how the analyzer measured quality before the tracker).
 *
 * MIT-BIH records (channel 0), resampled to 250 Hz as a device would send them (`--fs 360` keeps
 * the native rate), are streamed in 1 s packets. Printed: CPU µs per packet (the least of the
 * rounds) and the ratios.
 *
 * `--digest` instead streams every record (all 22 DS1 records of the folder, whole, at 250 and
 * 360 Hz unless `--fs` is given) through analyzer + arrhythmia monitor exactly as the server does
 * and prints sha256 digests of all their results (`digestAll`): an optimisation must leave them
 * unchanged. `--chunk <samples>` streams other chunk sizes than 1 s.
 *
 * `--check-quality` instead compares, at every 2 s block of every record in the folder, the
 * tracker's window metrics with `signalQuality` of the same 12 s: kurtosis, high-frequency, mains
 * and baseline ratios, the decimated baseline estimate, and the decisions.
 *
 * Run from the repository root through `bench/ecg-analyzer.ts` (take the bench lock, the machine
 * is shared):
 *   flock /tmp/vigil-bench.lock npm run bench:analyzer -- ../shared/data/mitdb --speed
 *   options: --records 119,208,203,101|all --minutes 10 --rounds 5 --fs 250|360
 *   --perturb (see `perturb`)
 *   npm run bench:analyzer -- ../shared/data/mitdb --check-quality [--fs 250|360] [--perturb]
 *   npm run bench:analyzer -- ../shared/data/mitdb --digest [--perturb] [--chunk 97]
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createArrhythmiaMonitor } from '../src/arrhythmia/create-arrhythmia-monitor.js';
import type { ArrhythmiaMonitorOptions } from '../src/arrhythmia/create-arrhythmia-monitor.js';
import { asAfWindowModel } from '../src/arrhythmia/create-rhythm-tracker.js';
import { createEcgAnalyzer } from '../src/ecg/create-ecg-analyzer.js';
import { createQrsDetector } from '../src/ecg/create-qrs-detector.js';
import { createSignalQualityTracker } from '../src/ecg/create-signal-quality-tracker.js';
import { signalQuality } from '../src/ecg/signal-quality.js';
import { resample } from '../src/filters/resample.js';
import { readWfdbRecord } from '../src/io/index.js';

export function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
}

/**
 * CPU time of this process (user + system), ms: on a shared machine the wall clock also counts the
 * time other processes hold the core; CPU time does not.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Stream {
  name: string;
  fs: number;
  ecg: Float64Array;
}

type Factory = (o: { fs: number }) => {
  push(x: Float64Array): unknown;
  flush(): unknown;
};

/** Streams every record through fresh analyzers in 1 s packets; µs per packet. */
function timeAnalyzer(streams: Stream[], factory: Factory): number {
  let packets = 0;
  const t0 = cpuMs();
  for (const { fs, ecg } of streams) {
    const a = factory({ fs });
    for (let at = 0; at < ecg.length; at += fs) {
      a.push(ecg.subarray(at, at + fs));
      packets++;
    }
    a.flush();
  }
  return ((cpuMs() - t0) * 1000) / packets;
}

/** The quality work per 1 s packet: exact (two `signalQuality` calls per 2 s block) or tracker. */
function timeQuality(streams: Stream[], which: 'exact' | 'tracker'): number {
  let packets = 0;
  const t0 = cpuMs();
  for (const { fs, ecg } of streams) {
    const block = 2 * fs;
    const tracker = createSignalQualityTracker({ fs });
    for (let end = block; end <= ecg.length; end += block) {
      if (which === 'tracker') tracker.addBlock(ecg, end - block);
      else {
        signalQuality(ecg.subarray(end - block, end), fs, { minDurationS: 2 });
        signalQuality(ecg.subarray(Math.max(0, end - 6 * block), end), fs);
      }
    }
    packets += Math.floor(ecg.length / fs);
  }
  return ((cpuMs() - t0) * 1000) / packets;
}

/**
 * `--perturb`: the record with a disturbance in every minute (from its 30th second), in turn:
 * 8 s of white noise (0.3 mV), 8 s of 50 Hz hum (0.5 mV), 10 s of a 3 mV baseline swing at
 * 0.2 Hz, 6 s clipped at half the record's range: real ECG made noisy the way devices are.
 */
function perturb(ecg: Float64Array, fs: number): Float64Array {
  const x = ecg.slice();
  let seed = 7;
  const uniform = (): number => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const mid = (lo + hi) / 2;
  for (let minute = 0; (minute * 60 + 30) * fs < x.length; minute++) {
    const at = (minute * 60 + 30) * fs;
    const kind = minute % 4;
    const length = [8, 8, 10, 6][kind] ?? 0;
    for (let i = at; i < Math.min(x.length, at + length * fs); i++) {
      const t = (i - at) / fs;
      const v = x[i] ?? 0;
      if (kind === 0) {
        const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
        x[i] = v + 0.3 * g;
      } else if (kind === 1) x[i] = v + 0.5 * Math.sin(2 * Math.PI * 50 * t);
      else if (kind === 2) x[i] = v + 3 * Math.sin(2 * Math.PI * 0.2 * t);
      else x[i] = Math.max(mid - (hi - lo) / 4, Math.min(mid + (hi - lo) / 4, v));
    }
  }
  return x;
}

function checkQuality(streams: Stream[]): void {
  let windows = 0;
  let exactComputed = 0;
  let maxKurtRel = 0;
  let maxHf = 0;
  let maxMains = 0;
  let maxBaselineEstimateErr = 0;
  let maxBaselineOver = 0;
  let maxExactWhenEstimated = 0;
  let decisionDiff = 0;
  const reasonDiffs = new Map<string, number>();
  for (const { name, fs, ecg } of streams) {
    const block = 2 * fs;
    const tracker = createSignalQualityTracker({ fs });
    for (let end = block; end <= ecg.length; end += block) {
      tracker.addBlock(ecg, end - block);
      const w = tracker.window;
      if (w === null) continue;
      const ref = signalQuality(ecg.subarray(Math.max(0, end - 6 * block), end), fs);
      windows++;
      const m = w.metrics;
      const e = ref.metrics;
      maxKurtRel = Math.max(maxKurtRel, Math.abs(m.kurtosis - e.kurtosis) / e.kurtosis);
      maxHf = Math.max(maxHf, Math.abs(m.hfRatio - e.hfRatio));
      maxMains = Math.max(maxMains, Math.abs(m.mainsRatio - e.mainsRatio));
      if (Number.isFinite(w.baselineEstimate)) {
        maxBaselineEstimateErr = Math.max(
          maxBaselineEstimateErr,
          Math.abs(w.baselineEstimate - e.baselineRatio),
        );
      }
      if (w.baselineEstimate > 0.8) exactComputed++;
      else maxExactWhenEstimated = Math.max(maxExactWhenEstimated, e.baselineRatio);
      maxBaselineOver = Math.max(maxBaselineOver, e.baselineRatio);
      if (w.analysable !== ref.analysable) decisionDiff++;
      const a = new Set(w.reasons);
      const b = new Set(ref.reasons);
      for (const r of new Set([...a, ...b])) {
        if (a.has(r) !== b.has(r)) {
          const key = `${r} ${a.has(r) ? 'new only' : 'reference only'}`;
          reasonDiffs.set(key, (reasonDiffs.get(key) ?? 0) + 1);
          if ((reasonDiffs.get(key) ?? 0) <= 3) {
            console.log(
              `  ${name} @${end / fs}s ${key}: hf ${m.hfRatio.toFixed(3)} vs ${e.hfRatio.toFixed(3)}, mains ${m.mainsRatio.toFixed(3)} vs ${e.mainsRatio.toFixed(3)}, kurt ${m.kurtosis.toFixed(3)} vs ${e.kurtosis.toFixed(3)}`,
            );
          }
        }
      }
    }
  }
  console.log(
    `${windows} windows of 12 s: window-only decision differs in ${decisionDiff}; largest differences: ` +
      `kurtosis ${(100 * maxKurtRel).toExponential(1)} %, hfRatio ${maxHf.toFixed(3)}, mainsRatio ${maxMains.toFixed(3)}, ` +
      `baseline estimate vs exact ${maxBaselineEstimateErr.toFixed(3)} (exact computed in ${exactComputed}, largest exact ratio ${maxBaselineOver.toFixed(3)}; ` +
      `where only estimated, largest exact ratio ${maxExactWhenEstimated.toFixed(3)}: the baseline score drops below 1 from 0.9)`,
  );
  for (const [k, v] of reasonDiffs) console.log(`  reason ${k}: ${v} windows`);
}

/**
 * JSON with sorted keys and every number written exactly: JSON's shortest round-trip form for
 * finite numbers, and -0, NaN and ±Infinity spelled out (JSON.stringify writes them as 0 / null),
 * so equal digests mean bit-identical results.
 */
function canonical(value: unknown): string {
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '"-0"';
    return Number.isFinite(value) ? JSON.stringify(value) : `"${String(value)}"`;
  }
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return `[${Array.from(value as ArrayLike<unknown>, canonical).join(',')}]`;
  }
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

/**
 * `--digest`: streams each record through analyzer + arrhythmia monitor in 1 s packets exactly as
 * the server's `runAnalysis` does (the monitor gets the packet and the analyzer's newly reported
 * beats), then flushes both, and hashes (sha256) the canonical JSON of every result: per record
 * and over all. An optimisation must leave these digests unchanged.
 */
function digestAll(streams: Stream[], chunkSamples: number | null): void {
  const all = createHash('sha256');
  let packets = 0;
  for (const { name, fs, ecg } of streams) {
    const h = createHash('sha256');
    const analyzer = createEcgAnalyzer({ fs });
    const monitor = createArrhythmiaMonitor({ fs });
    const step = chunkSamples ?? fs;
    for (let at = 0; at < ecg.length; at += step) {
      const chunk = ecg.slice(at, at + step);
      const u = analyzer.push(chunk);
      const a = monitor.push(chunk, Int32Array.from(u.beats.map((b) => b.sample)));
      h.update(canonical(u));
      h.update(canonical(a));
      packets++;
    }
    h.update(canonical(analyzer.flush()));
    h.update(canonical(monitor.flush()));
    h.update(canonical(monitor.episodes));
    const d = h.digest('hex');
    all.update(d);
    console.log(`${name} ${fs} Hz ${d}`);
  }
  console.log(`all ${streams.length} streams, ${packets} packets: ${all.digest('hex')}`);
}

/**
 * Speed mode (`--speed`), quality check (`--check-quality`) or output digest (`--digest`) on the
 * records of `dir`.
 */
/**
 * `--af-model <file>` (a `train:af --out` model) and `--atrial-residual-method <m>`: the monitor
 * as `eval:cross-db` runs it with those options, to time a model that reads `atrialResidual`.
 */
let monitorOptions: Omit<ArrhythmiaMonitorOptions, 'fs'> = {};

export async function runAnalyzerSpeed(dir: string, argv: string[]): Promise<void> {
  const afModelFile = arg(argv, 'af-model', '');
  const residualMethod = arg(argv, 'atrial-residual-method', '');
  const afShortModel =
    afModelFile === ''
      ? undefined
      : asAfWindowModel(
          JSON.parse(
            readFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), afModelFile), 'utf8'),
          ),
        );
  if (afShortModel === null) throw new Error(`--af-model: ${afModelFile} is not an AF model`);
  monitorOptions = {
    ...(afShortModel === undefined ? {} : { afShortModel }),
    ...(residualMethod === ''
      ? {}
      : { atrial: { residualMethod: residualMethod as 'pre-qrs' | 'average-beat' } }),
  };
  const check = argv.includes('--check-quality');
  const digest = argv.includes('--digest');
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.hea') && existsSync(join(dir, f.replace(/\.hea$/, '.atr'))))
    .map((f) => f.replace(/\.hea$/, ''))
    .sort();
  const recordsArg = arg(argv, 'records', check || digest ? 'all' : '119,208,203,101');
  const names = recordsArg === 'all' ? all : recordsArg.split(',');
  const minutes = Number(arg(argv, 'minutes', check || digest ? '31' : '10'));
  const rounds = Number(arg(argv, 'rounds', '5'));
  // `--digest` covers both rates unless `--fs` is given.
  const rates = argv.includes('--fs') || !digest ? [Number(arg(argv, 'fs', '250'))] : [250, 360];
  const fsOut = rates[0] ?? 250;
  const streams: Stream[] = [];
  for (const rate of rates) {
    for (const name of names) {
      const record = await readWfdbRecord(join(dir, name));
      const x = (record.signals[0]?.physical ?? new Float64Array()).subarray(
        0,
        Math.round(minutes * 60 * record.fs),
      );
      const ecg = rate === record.fs ? Float64Array.from(x) : resample(x, record.fs, rate);
      streams.push({ name, fs: rate, ecg: argv.includes('--perturb') ? perturb(ecg, rate) : ecg });
    }
  }
  if (check) {
    checkQuality(streams);
    return;
  }
  if (digest) {
    digestAll(streams, argv.includes('--chunk') ? Number(arg(argv, 'chunk', '0')) : null);
    return;
  }
  const packets = streams.reduce((n, s) => n + Math.ceil(s.ecg.length / s.fs), 0);
  console.log(
    `${names.join(', ')}: first ${minutes} min at ${fsOut} Hz, ${packets} packets of 1 s per round`,
  );
  timeAll(streams, Math.max(1, rounds));
}

/**
 * What the server runs per packet (`runAnalysis` in packages/server): the analyzer, then the
 * arrhythmia monitor fed the packet and the beats the analyzer reported in it.
 */
const analyzerAndMonitor: Factory = ({ fs }) => {
  const analyzer = createEcgAnalyzer({ fs });
  const monitor = createArrhythmiaMonitor({ ...monitorOptions, fs });
  return {
    push(x) {
      const u = analyzer.push(x);
      return monitor.push(x, Int32Array.from(u.beats.map((b) => b.sample)));
    },
    flush() {
      analyzer.flush();
      return monitor.flush();
    },
  };
};

function timeAll(streams: Stream[], rounds: number): void {
  // Warm-up (JIT), then alternating rounds.
  timeAnalyzer(streams.slice(0, 1), createQrsDetector);
  timeAnalyzer(streams.slice(0, 1), createEcgAnalyzer);
  timeAnalyzer(streams.slice(0, 1), analyzerAndMonitor);
  const t = {
    detector: [] as number[],
    analyzer: [] as number[],
    server: [] as number[],
    exact: [] as number[],
    tracker: [] as number[],
  };
  for (let r = 0; r < rounds; r++) {
    t.detector.push(timeAnalyzer(streams, createQrsDetector));
    t.analyzer.push(timeAnalyzer(streams, createEcgAnalyzer));
    t.server.push(timeAnalyzer(streams, analyzerAndMonitor));
    t.exact.push(timeQuality(streams, 'exact'));
    t.tracker.push(timeQuality(streams, 'tracker'));
  }
  // The least CPU time of the rounds: interference (cache, frequency, GC of other work) only adds.
  const least = (v: number[]): number => Math.min(...v);
  const us = (v: number): string => `${v.toFixed(1).padStart(6)} µs/packet`;
  const detector = least(t.detector);
  console.log(`bare QRS detector      ${us(detector)} (baseline)`);
  console.log(
    `analyzer push          ${us(least(t.analyzer))}: ` +
      `${(least(t.analyzer) / detector).toFixed(2)}× the detector`,
  );
  console.log(
    `analyzer + monitor     ${us(least(t.server))}: ` +
      `${(least(t.server) / detector).toFixed(2)}× the detector (the server's runAnalysis)`,
  );
  console.log(
    `quality (tracker)      ${us(least(t.tracker))}; exact recomputation ${us(least(t.exact))}: ` +
      `${(least(t.exact) / least(t.tracker)).toFixed(2)}× cheaper`,
  );
}
