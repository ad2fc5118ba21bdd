/**
 * `npm run train:cry -- <dir...> [--seed 1] [--out src/audio/model/cry-model.json]`
 *
 * Trains the cry detector. The folders are read as `cry-dataset.ts` describes (a donateacry
 * folder for the positives, folders of negative types). Every clip is decoded by ffmpeg at 8 kHz
 * (`decodeAudio`, the path the product uses) and described second by second
 * (`crySecondFeatures`). Sources are split train / val / test (about 3:1:1, by source recording);
 * candidate models (logistic regression and small perceptrons, two L2 strengths, three clip
 * aggregations) are fitted on train and compared on val by type-balanced accuracy; the chosen one
 * is refitted on train + val and scored once on test, and that model is written. Deterministic.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { aggregateCrySeconds } from '../audio/aggregate-cry-seconds.js';
import type { CryModel } from '../audio/cry-model.js';
import { crySecondFeatures } from '../audio/cry-second-features.js';
import { CRY_FEATURE_NAMES } from '../audio/cry-window-features.js';
import { predictCryWindow } from '../audio/predict-cry-window.js';
import { trainCryModel } from '../audio/train-cry-model.js';
import { decodeAudio } from '../io/decode-audio.js';
import { listCryClips, type CryClip, type CrySplit } from './cry-dataset.js';
import { cryMetrics, formatCryMetrics, type CryMetrics } from './cry-metrics.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seed: { type: 'string', default: '1' },
    cache: { type: 'string' },
    out: {
      type: 'string',
      default: fileURLToPath(new URL('../audio/model/cry-model.json', import.meta.url)),
    },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
const dirs = positionals.map((d) => resolve(cwd, d));
if (dirs.length === 0) {
  console.error('usage: train-cry <donateacry dir> <negatives dir>... [--seed N] [--out file]');
  process.exit(2);
}
const seed = Number(values.seed);
const SAMPLE_RATE_HZ = 8000;
const WINDOW_S = 2;
/** Seconds of a cry clip quieter than this share of its loudest second (−26 dB) are pauses. */
const PAUSE_RMS_SHARE = 0.05;

interface ClipFeatures extends CryClip {
  seconds: Float64Array[];
  /** Whether each second is used for training (cry pauses are not). */
  trainable: boolean[];
}

const clips = await listCryClips(dirs);
const started = Date.now();
const described: ClipFeatures[] = [];

/**
 * Optional feature cache (`--cache file`): decoding ~1,300 clips with ffmpeg dominates a run. An
 * entry is reused only when the file's size and mtime and the source of the feature code are
 * unchanged, so a cached run gives the same model as an uncached one.
 */
type Cached = Record<string, { key: string; seconds: number[][]; trainable: boolean[] }>;
const featureCode = createHash('sha256');
for (const f of [
  '../spectral/create-real-fft.ts',
  '../audio/compute-audio-frames.ts',
  '../audio/cry-window-features.ts',
  '../audio/cry-second-features.ts',
]) {
  featureCode.update(await readFile(new URL(f, import.meta.url)));
}
const codeHash = featureCode.digest('hex').slice(0, 16);
const cachePath = values.cache === undefined ? undefined : resolve(cwd, values.cache);
const cache: Cached =
  cachePath === undefined
    ? {}
    : await readFile(cachePath, 'utf8').then(
        (t) => JSON.parse(t) as Cached,
        () => ({}),
      );
let next = 0;
async function worker(): Promise<void> {
  while (next < clips.length) {
    const clip = clips[next++];
    if (clip === undefined) break;
    const info = await stat(clip.path);
    const key = `${codeHash}:${info.size}:${info.mtimeMs}`;
    const hit = cache[clip.path];
    if (hit?.key === key) {
      described.push({
        ...clip,
        seconds: hit.seconds.map((f) => Float64Array.from(f)),
        trainable: hit.trainable,
      });
      continue;
    }
    const audio = await decodeAudio(clip.path, { sampleRateHz: SAMPLE_RATE_HZ, maxSeconds: 60 });
    if (audio.samples.length < 256) {
      console.warn(`skipped (shorter than 32 ms): ${clip.path}`);
      continue;
    }
    const seconds = crySecondFeatures(audio.samples, SAMPLE_RATE_HZ, { windowS: WINDOW_S });
    const rms = seconds.map((_, k) => {
      const a = audio.samples.subarray(k * SAMPLE_RATE_HZ, (k + 1) * SAMPLE_RATE_HZ);
      let s = 0;
      for (const v of a) s += v * v;
      return a.length === 0 ? 0 : Math.sqrt(s / a.length);
    });
    const loudest = Math.max(...rms);
    const trainable = rms.map((r) => clip.label === 0 || r >= PAUSE_RMS_SHARE * loudest);
    described.push({ ...clip, seconds, trainable });
    cache[clip.path] = { key, seconds: seconds.map((f) => Array.from(f)), trainable };
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);
if (cachePath !== undefined) await writeFile(cachePath, JSON.stringify(cache));
described.sort((a, b) => a.path.localeCompare(b.path));
console.log(
  `${described.length} clips described in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);

const splitCounts = new Map<string, Record<CrySplit, number>>();
for (const c of described) {
  const row = splitCounts.get(c.type) ?? { train: 0, val: 0, test: 0 };
  row[c.split]++;
  splitCounts.set(c.type, row);
}
console.log('clips by type (train / val / test):');
for (const [type, r] of [...splitCounts].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${type.padEnd(14)} ${r.train} / ${r.val} / ${r.test}`);
}

/** Rows for training: crying and not crying weigh the same, and so does each negative type. */
function rows(splits: readonly CrySplit[]): { x: Float64Array; y: Uint8Array; w: Float64Array } {
  const picked = described.filter((c) => splits.includes(c.split));
  const windowsOfType = new Map<string, number>();
  for (const c of picked) {
    const k = c.trainable.filter(Boolean).length;
    windowsOfType.set(c.type, (windowsOfType.get(c.type) ?? 0) + k);
  }
  const negativeTypes = [...windowsOfType.keys()].filter((t) => t !== 'cry').length;
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (const c of picked) {
    const typeWindows = windowsOfType.get(c.type) ?? 1;
    const weight = c.label === 1 ? 0.5 / typeWindows : 0.5 / negativeTypes / typeWindows;
    c.seconds.forEach((f, k) => {
      if (c.trainable[k] !== true) return;
      xs.push(...f);
      ys.push(c.label);
      ws.push(weight * 1000);
    });
  }
  return {
    x: Float64Array.from(xs),
    y: Uint8Array.from(ys),
    w: Float64Array.from(ws),
  };
}

function score(model: CryModel, split: CrySplit, topShare: number): CryMetrics {
  return cryMetrics(
    described
      .filter((c) => c.split === split)
      .map((c) => ({
        label: c.label,
        type: c.type,
        probability: aggregateCrySeconds(
          c.seconds.map((f) => predictCryWindow(model, f)),
          topShare,
        ),
      })),
  );
}

const pct = (v: number): string => (100 * v).toFixed(1);
interface Candidate {
  hidden: number;
  l2: number;
  topShare: number;
  val: CryMetrics;
}
const candidates: Candidate[] = [];
const train = rows(['train']);
console.log(`\ntraining windows: ${train.y.length}; candidates scored on val (clip level):`);
for (const hidden of [0, 8, 16]) {
  for (const l2 of [1e-3, 1e-2]) {
    const model = trainCryModel(train.x, train.y, train.w, {
      featureNames: CRY_FEATURE_NAMES,
      hidden,
      l2,
      seed,
    });
    for (const topShare of [0.34, 0.5, 1]) {
      const val = score(model, 'val', topShare);
      candidates.push({ hidden, l2, topShare, val });
      console.log(
        `  hidden ${String(hidden).padStart(2)} l2 ${l2} top ${topShare}: ` +
          `BA ${pct(val.balancedAccuracy)} type-BA ${pct(val.typeBalancedAccuracy)} ` +
          `recall ${pct(val.recall)} spec ${pct(val.specificity)}`,
      );
    }
  }
}
// Highest type-balanced accuracy on val; ties go to the smaller model (listed first).
const best = candidates.reduce((a, b) =>
  b.val.typeBalancedAccuracy > a.val.typeBalancedAccuracy + 1e-9 ? b : a,
);
console.log(`\nchosen: hidden ${best.hidden}, l2 ${best.l2}, topShare ${best.topShare}`);

const full = rows(['train', 'val']);
const provisional = trainCryModel(full.x, full.y, full.w, {
  featureNames: CRY_FEATURE_NAMES,
  hidden: best.hidden,
  l2: best.l2,
  seed,
  topShare: best.topShare,
  sampleRateHz: SAMPLE_RATE_HZ,
  windowS: WINDOW_S,
});
const test = score(provisional, 'test', best.topShare);
console.log(
  `\nheld-out test split (sources never seen in training or selection):\n${formatCryMetrics(test)}`,
);
const counts: Record<string, Record<CrySplit, number>> = {};
for (const [type, r] of splitCounts) counts[type] = r;
const model: CryModel = {
  ...provisional,
  training: {
    command: `npm run train:cry -- ${positionals.join(' ')} --seed ${seed}`,
    seed,
    clipsByTypeTrainValTest: counts,
    selection: { hidden: best.hidden, l2: best.l2, topShare: best.topShare, val: best.val },
    trainedOn: 'train + val splits',
    test,
  },
};
// Written as Prettier formats it, so `npm run check` passes on a freshly trained model.
const json = await format(JSON.stringify(model), {
  ...(await resolveConfig(values.out)),
  parser: 'json',
});
await writeFile(values.out, json);
console.log(`model -> ${values.out} (${(json.length / 1024).toFixed(1)} kB)`);
