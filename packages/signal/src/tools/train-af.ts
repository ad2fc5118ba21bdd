/**
 * `npm run train:af -- --data <root> [--data <root> ...] [--out file, default the shipped src/arrhythmia/model/af-window-model.json]
 *  [--threshold 0.5] [--hidden 0] [--members 1] [--seed 1] [--hold-back-mod4 r] [--rows rows.jsonl]
 *  [--ectopy-views] [--ectopy-view-share 0.2,0.8] [--ectopy-view-weight 1] [--mask-af-beats]
 *  [--rows-per-db n|max] [--qrs-relearn s] [--features n] [--atrial-residual]
 *  [--atrial-residual-method pre-qrs|average-beat] [--atrial-spectrum] [--atrial-spectrum-features a,b]
 *  [--atrial-spectrum-band lo,hi] [--atrial-spectrum-whiten]
 *  [--from-rows rows.jsonl]`
 *
 * Trains the short-window AF model of the rhythm tracker (`AfWindowModel`: with `--hidden 0` a
 * logistic regression over `AF_WINDOW_FEATURES`, with `--hidden h` an ensemble of `--members`
 * one-hidden-layer perceptrons of h tanh units, trained by `trainBeatModel` from seeds s, s + 1,
 * ... with s = `--seed`, default 1)
 * on the AF development data only: the 22 MIT-BIH DS1 records
 * (`mitdb/`, DS2 records skipped unread), the CPSC 2021 development patients (`cpsc2021/`,
 * patients 8, 35 and 92 skipped unread) and the odd-numbered CinC 2017 strips (`cinc2017/`; the
 * even-numbered ones are held out and skipped unread). Every short window the tracker measures
 * (with the threshold rule deciding, so the features are what the live path sees) is one row,
 * labelled AF when the beat it labels lies in reference AF (`(AFIB`, `(AFL`; CinC 2017: label A);
 * each database weighs the same in the fit. Beats from `detectQrs`, signals at other rates than
 * 250 and 360 Hz resampled to 250 Hz, as in `eval:cross-db`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { analyzeArrhythmia } from '../arrhythmia/analyze-arrhythmia.js';
import { AF_WINDOW_FEATURES } from '../arrhythmia/create-rhythm-tracker.js';
import type {
  AfWindowFeature,
  AfWindowMlpMember,
  AfWindowModel,
} from '../arrhythmia/create-rhythm-tracker.js';
import type { BeatModel } from '../arrhythmia/beat-model.js';
import { trainBeatModel } from '../arrhythmia/train-beat-model.js';
import { detectQrs } from '../ecg/detect-qrs.js';
import { readAnnotations, readWfdbRecord } from '../io/index.js';
import { afIntervals } from './af-intervals.js';
import { fitLogistic } from './fit-logistic.js';
import { CPSC2021_HELD_OUT, MITDB_DS2 } from './held-out-records.js';
import { aamiClass } from '../arrhythmia/aami-class.js';
import { isBeatSymbol } from '../ecg/beat-symbols.js';
import { createRng } from '../synth/create-rng.js';
import { CLASS_INDEX } from './beat-dataset.js';
import { liveRateLead } from './live-rate-lead.js';
import { randomRetimedView } from './retimed-probe.js';
import { maskBeatsInIntervals } from './mask-beats-in-intervals.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    out: { type: 'string' },
    threshold: { type: 'string', default: '0.5' },
    /** Also write the feature rows (JSON lines: database, record, label, features). */
    rows: { type: 'string' },
    /**
     * Fit on the rows a run with `--rows` wrote instead of measuring them again (another
     * `--seed` on the same features; the other row options are then those of that run).
     */
    'from-rows': { type: 'string' },
    /** Short window length in RR intervals (the tracker's `afShortWindowBeats`), default 12. */
    'short-window': { type: 'string' },
    /** Model window in RR intervals (`afModelWindowBeats`), default the tracker's (12). */
    'model-window': { type: 'string' },
    /** Hidden units of the perceptron, default 0 (logistic regression). */
    hidden: { type: 'string', default: '0' },
    /** Perceptrons in the ensemble (seeds seed..seed + members - 1), default 1. */
    members: { type: 'string', default: '1' },
    /**
     * First perceptron seed, default 1 (the shipped model). A retrain moves most weights for a
     * handful of changed rows, as another seed does: a change to the features or the rows is
     * judged over several seeds (`--seed 1, 6, 11, ...` with `--members 5`, each to its own
     * `--out`, scored with `eval:cross-db --af-model`), not on one retrain.
     */
    seed: { type: 'string', default: '1' },
    /**
     * Features: the first n of AF_WINDOW_FEATURES, default all but `atrialResidual` (the shipped
     * model's 17).
     */
    features: { type: 'string' },
    /**
     * Default features plus the last, `atrialResidual` (the atrial activity after average-beat
     * subtraction; measured and not kept, README).
     */
    'atrial-residual': { type: 'boolean', default: false },
    /**
     * How `--atrial-residual` is measured: `pre-qrs` (default, the pre-QRS segments less their
     * average) or `average-beat` (QRST cancellation over the whole RR interval,
     * `averageBeatResidual`; measured and not kept, README). Score with the same
     * `eval:cross-db --atrial-residual-method`.
     */
    'atrial-residual-method': { type: 'string', default: 'pre-qrs' },
    /**
     * Default features plus `atrialDominantFrequency` and `atrialConcentration` (dominant atrial
     * frequency and spectral concentration of the TQ residual after QRST cancellation,
     * `createAtrialActivityTracker`'s `atrialSpectrum`; README). Scored by `eval:cross-db
     * --af-model` as is (the monitor measures them when the model names them).
     */
    'atrial-spectrum': { type: 'boolean', default: false },
    /**
     * `--atrial-spectrum`'s band, "lo,hi" in Hz (`atrialSpectrum`'s `bandLowHz`, `bandHighHz`),
     * default its 3,12; recorded in the model (`atrialSpectrum`), which the monitor measures with.
     */
    'atrial-spectrum-band': { type: 'string' },
    /** `--atrial-spectrum` pre-whitened (`atrialSpectrum`'s `whiten`), recorded in the model. */
    'atrial-spectrum-whiten': { type: 'boolean', default: false },
    /** Which of the two `--atrial-spectrum` adds, comma-separated, default both. */
    'atrial-spectrum-features': {
      type: 'string',
      default: 'atrialDominantFrequency,atrialConcentration',
    },
    /**
     * Leave out of training the odd CinC 2017 strips whose record number mod 4 is r (1 or 3): the
     * selection part, on which models are then compared (the shipped model: r = 3; per strip,
     * `eval:cross-db --db cinc2017-dev --list`).
     */
    'hold-back-mod4': { type: 'string' },
    /**
     * Also train on DS1 records with 5 SVEBs or more re-timed with frequent SVEBs (retimeBeats:
     * 3 views of 5 min each, SVEBs a share of the beats in `--ectopy-view-share`, sinus cycle 1
     * to 1.4 times the record's; no AF), in the mitdb share of the fit: sinus rhythm with
     * frequent ectopy, the "irregular but not AF" windows no development record holds in
     * number. At full weight in a strided fit they cut the false AF time of `eval:cross-db`'s
     * re-timed rows but the model missed the synthetic 10-s AF paroxysm of the rhythm tests;
     * the shipped model takes them at full weight with every window in the fit
     * (`--ectopy-view-share 0.2,0.5 --ectopy-view-weight 1 --rows-per-db max`, README).
     */
    'ectopy-views': { type: 'boolean', default: false },
    /**
     * `--ectopy-views` copy no N beat inside the record's reference AF as a sinus beat
     * (`maskBeatsInIntervals`): MIT-BIH labels AF beats N, and they have no sinus P wave (DS1
     * records 201 and 203). Off in the shipped model: with it (and the beat model trained with
     * `train:beats --mask-af-beats`), in the strided fit before `--rows-per-db`, the validation
     * ectopy row went 2.5 → 5.1 % (README).
     */
    'mask-af-beats': { type: 'boolean', default: false },
    /**
     * Weight w (0 < w <= 1) of the views' windows against the record's own, default 1: one view
     * window in 1 / w is kept (evenly spaced), before the databases are balanced. The views are
     * more irregular than AF (RR range, gap share, CV) and half their windows have a sinus P
     * template, which few AF windows have: at full weight the perceptrons read an irregular
     * window with a template as ectopy and lost a synthetic paroxysm that follows sinus rhythm
     * (README, with the weights and shares measured).
     */
    'ectopy-view-weight': { type: 'string', default: '1' },
    /**
     * SVEB share range of the views, "lo,hi" (fractions of the beats, each view's share drawn
     * uniformly in it), default 0.2,0.8.
     */
    'ectopy-view-share': { type: 'string', default: '0.2,0.8' },
    /**
     * Fit rows per database: a number n, or `max` (the largest database's window count, every
     * window of every database used); default the smallest database's window count (the larger
     * databases taken with a stride, most CinC 2017 windows unused: they are 18 times as many as
     * CPSC 2021's). With a larger n the rows of a database with fewer windows are repeated (row
     * floor(i · count / n) for i < n), so each database still weighs the same. The shipped model:
     * `max` (README).
     */
    'rows-per-db': { type: 'string' },
    /**
     * The QRS detector's `relearnS` for the training beats (default: the detector's default).
     * The shipped model was fitted on beats from the detector before it re-learned provisional
     * levels: `--qrs-relearn 0` reproduces it. Refitted with re-learning, only about 20 of the
     * 4,115 development strips have other beats, yet the model changes as much as another seed
     * would (measured: CinC 2017 development AF strips found 330 -> 325, one false alarm on the
     * frequent-SVEB probe), so it was not replaced (README).
     */
    'qrs-relearn': { type: 'string' },
  },
});
const qrsRelearn =
  values['qrs-relearn'] === undefined ? {} : { relearnS: Number(values['qrs-relearn']) };
const holdBack = values['hold-back-mod4'] === undefined ? null : Number(values['hold-back-mod4']);
const firstSeed = Number(values.seed);
if (!(Number.isInteger(firstSeed) && firstSeed >= 1)) {
  console.error('--seed must be a positive integer');
  process.exit(2);
}
const viewWeight = Number(values['ectopy-view-weight']);
const viewShare = values['ectopy-view-share'].split(',').map(Number);
const [shareLo = NaN, shareHi = NaN] = viewShare;
if (viewShare.length !== 2 || !(shareLo > 0 && shareLo <= shareHi && shareHi < 1)) {
  console.error('--ectopy-view-share must be lo,hi with 0 < lo <= hi < 1');
  process.exit(2);
}
if (!(viewWeight > 0 && viewWeight <= 1)) {
  console.error('--ectopy-view-weight must be in (0, 1]');
  process.exit(2);
}
const residualMethod = values['atrial-residual-method'];
if (residualMethod !== 'pre-qrs' && residualMethod !== 'average-beat') {
  console.error('--atrial-residual-method must be pre-qrs or average-beat');
  process.exit(2);
}
const bandArg = values['atrial-spectrum-band']?.split(',').map(Number);
if (bandArg !== undefined && !(bandArg.length === 2 && bandArg.every((v) => v > 0))) {
  console.error('--atrial-spectrum-band must be lo,hi in Hz');
  process.exit(2);
}
/** `atrialSpectrum` options of `--atrial-spectrum` (recorded in the model). */
const spectrumOptions = {
  ...(bandArg === undefined ? {} : { bandLowHz: bandArg[0], bandHighHz: bandArg[1] }),
  ...(values['atrial-spectrum-whiten'] ? { whiten: true } : {}),
};
const here = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p);
const roots = (values.data ?? []).map(here);
if (roots.length === 0) {
  console.error('usage: train-af --data <root> [--data <root> ...] [--out file] [--threshold p]');
  process.exit(2);
}
const find = (folder: string): string | undefined =>
  roots.map((r) => join(r, folder)).find((d) => existsSync(d));

type Interval = [number, number];
interface Rec {
  db: string;
  name: string;
  fs: number;
  ecg: Float64Array;
  af: Interval[];
  /** A re-timed view (`--ectopy-views`), not a recording. */
  view?: boolean;
}

async function loadWfdb(db: string, path: string, withAf: boolean): Promise<Rec> {
  const { ecg, fs, scale } = liveRateLead(await readWfdbRecord(path));
  const af: Interval[] = [];
  if (withAf && existsSync(`${path}.atr`))
    af.push(...afIntervals(await readAnnotations(path), ecg.length, scale));
  return { db, name: path, fs, ecg, af };
}

/** `--ectopy-views`: a DS1 record's re-timed views (none for a record with fewer than 5 SVEBs). */
async function* ectopyViews(r: Rec): AsyncGenerator<Rec> {
  const b = (await readAnnotations(r.name)).filter((a) => isBeatSymbol(a.symbol));
  const peaks = Int32Array.from(b, (a) => a.sample);
  const labels = Int32Array.from(b, (a) => CLASS_INDEX[aamiClass(a.symbol) ?? 'Q']);
  if (values['mask-af-beats']) labels.set(maskBeatsInIntervals(peaks, labels, r.af));
  const rng = createRng(52_361 + r.ecg.length);
  for (let v = 0; v < 3; v++) {
    const t = randomRetimedView(r.ecg, r.fs, peaks, labels, rng, [shareLo, shareHi], 300);
    if (t === null) return;
    yield {
      db: 'mitdb',
      name: `${r.name}@retimed${v}`,
      fs: r.fs,
      ecg: t.ecgMv,
      af: [],
      view: true,
    };
  }
}

async function* records(): AsyncGenerator<Rec> {
  const mit = find('mitdb');
  if (mit) {
    const names = (await readdir(mit)).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4));
    for (const n of names.filter((x) => !MITDB_DS2.has(x)).sort()) {
      const r = await loadWfdb('mitdb', join(mit, n), true);
      yield r;
      // The views re-time the annotated beats on the record's own samples: only at the rate
      // the signal was recorded (loadWfdb resamples other rates, the annotations are not).
      if (values['ectopy-views'] && r.fs === 360) yield* ectopyViews(r);
    }
  }
  const cpsc = find('cpsc2021');
  if (cpsc) {
    const names = (await readdir(cpsc))
      .filter((f) => f.endsWith('.hea'))
      .map((f) => f.slice(0, -4));
    for (const n of names.filter((x) => !CPSC2021_HELD_OUT.test(x)).sort())
      yield loadWfdb('cpsc2021', join(cpsc, n), true);
  }
  const cinc = find('cinc2017');
  if (cinc) {
    const ref = await readFile(join(cinc, 'REFERENCE.csv'), 'utf8');
    for (const line of ref.split(/\r?\n/)) {
      const [name, label] = line.split(',');
      // Odd record numbers only: the even ones are the held-out half.
      if (!name || !label || label === '~' || !/^A\d*[13579]$/.test(name)) continue;
      if (holdBack !== null && Number(name.slice(1)) % 4 === holdBack) continue;
      const r = await loadWfdb('cinc2017', join(cinc, name), false);
      if (label === 'A') r.af = [[0, r.ecg.length]];
      yield r;
    }
  }
}

const rows: Float64Array[] = [];
const labels: boolean[] = [];
const dbOf: string[] = [];
const dump: string[] = [];
let viewWindows = 0;
if (values['from-rows'] !== undefined) {
  for (const line of (await readFile(here(values['from-rows']), 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    // JSON writes NaN as null.
    const [db, , y, ...f] = JSON.parse(line) as [string, string, boolean, ...(number | null)[]];
    rows.push(Float64Array.from(f, (v) => v ?? NaN));
    labels.push(y);
    dbOf.push(db);
  }
}
for await (const r of values['from-rows'] === undefined ? records() : []) {
  const peaks = detectQrs(r.ecg, { fs: r.fs, ...qrsRelearn });
  analyzeArrhythmia(r.ecg, r.fs, peaks, {
    afShortModel: null,
    atrial: {
      residualMethod,
      ...(values['atrial-spectrum'] ? { spectrum: true, spectrumOptions } : {}),
    },
    ...(values['short-window'] === undefined
      ? {}
      : { afShortWindowBeats: Number(values['short-window']) }),
    ...(values['model-window'] === undefined
      ? {}
      : { afModelWindowBeats: Number(values['model-window']) }),
    onAfShortWindow: (sample, f) => {
      if (r.view === true) {
        // --ectopy-view-weight: keep one view window in 1 / w, evenly spaced over all views.
        viewWindows++;
        if (Math.floor(viewWindows * viewWeight) === Math.floor((viewWindows - 1) * viewWeight))
          return;
      }
      const y = r.af.some(([s, e]) => sample >= s && sample < e);
      rows.push(Float64Array.from(f));
      labels.push(y);
      dbOf.push(r.db);
      if (values.rows !== undefined) dump.push(JSON.stringify([r.db, r.name, y, ...f]));
    },
  });
}
if (values.rows !== undefined) await writeFile(here(values.rows), `${dump.join('\n')}\n`);
// atrialResidual is the last feature: without --atrial-residual the default is every one before it.
const defaultFeatures =
  AF_WINDOW_FEATURES.indexOf('atrialResidual') + (values['atrial-residual'] ? 1 : 0);
const spectrumFeatures = values['atrial-spectrum-features'].split(',') as AfWindowFeature[];
if (
  !spectrumFeatures.every((n) => n === 'atrialDominantFrequency' || n === 'atrialConcentration')
) {
  console.error('--atrial-spectrum-features: atrialDominantFrequency and/or atrialConcentration');
  process.exit(2);
}
const featureNames = [
  ...AF_WINDOW_FEATURES.slice(
    0,
    values.features === undefined ? defaultFeatures : Number(values.features),
  ),
  ...(values['atrial-spectrum'] ? spectrumFeatures : []),
];
const d = featureNames.length;
// Each row reduced to the model's features, in their order (a model may skip some).
const featureIdx = featureNames.map((n) => AF_WINDOW_FEATURES.indexOf(n));
rows.forEach((r, i) => {
  rows[i] = Float64Array.from(featureIdx, (j) => r[j] ?? NaN);
});
const mean = new Array<number>(d).fill(0);
const std = new Array<number>(d).fill(0);
for (const x of rows)
  for (let j = 0; j < d; j++) mean[j] = (mean[j] ?? 0) + (x[j] ?? 0) / rows.length;
for (const x of rows)
  for (let j = 0; j < d; j++)
    std[j] = (std[j] ?? 0) + ((x[j] ?? 0) - (mean[j] ?? 0)) ** 2 / rows.length;
for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] ?? 0) || 1;
// Each database weighs the same: rows of the larger ones are taken with a stride.
const perDb = new Map<string, number>();
for (const db of dbOf) perDb.set(db, (perDb.get(db) ?? 0) + 1);
const smallest = Math.min(...perDb.values());
const perDbRows =
  values['rows-per-db'] === undefined
    ? smallest
    : values['rows-per-db'] === 'max'
      ? Math.max(...perDb.values())
      : Number(values['rows-per-db']);
if (!(Number.isInteger(perDbRows) && perDbRows > 0)) {
  console.error('--rows-per-db must be a positive integer');
  process.exit(2);
}
const kept: number[] = [];
if (perDbRows === smallest) {
  // Each database's rows taken with a stride down to the smallest database's count.
  const seen = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const db = dbOf[i] ?? '';
    const k = (seen.get(db) ?? 0) + 1;
    seen.set(db, k);
    const stride = (perDb.get(db) ?? 1) / smallest;
    if (Math.floor(k / stride) === Math.floor((k - 1) / stride)) continue;
    kept.push(i);
  }
} else {
  // perDbRows rows of each database, its rows repeated (or strided) evenly to that count.
  const byDb = new Map<string, number[]>();
  dbOf.forEach((db, i) => {
    const list = byDb.get(db);
    if (list) list.push(i);
    else byDb.set(db, [i]);
  });
  for (const list of byDb.values())
    for (let i = 0; i < perDbRows; i++)
      kept.push(list[Math.floor((i * list.length) / perDbRows)] ?? 0);
}
const hidden = Number(values.hidden);
const threshold = Number(values.threshold);
const round = (v: number): number => Number(v.toPrecision(6));
let model: AfWindowModel;
if (hidden > 0) {
  // Perceptrons (trainBeatModel: standardises and clips the inputs itself, two-class softmax,
  // equal class weights); p(AF) of a two-class softmax is the logistic of the logit difference.
  const x = new Float64Array(kept.length * d);
  kept.forEach((i, r) => {
    x.set((rows[i] ?? new Float64Array(d)).subarray(0, d), r * d);
  });
  const y = Int32Array.from(kept, (i) => (labels[i] === true ? 1 : 0));
  const nets = Array.from({ length: Number(values.members) }, (_, m) =>
    trainBeatModel(x, y, {
      featureNames: [...featureNames],
      classes: ['nonAF', 'AF'],
      hidden,
      epochs: 40,
      classWeights: [1, 1],
      seed: firstSeed + m,
    }),
  );
  const member = (n: BeatModel): AfWindowMlpMember => ({
    w1: n.w1.map(round),
    b1: n.b1.map(round),
    w2: Array.from({ length: hidden }, (_, k) => round((n.w2[hidden + k] ?? 0) - (n.w2[k] ?? 0))),
    b2: round((n.b2[1] ?? 0) - (n.b2[0] ?? 0)),
  });
  const first = nets[0];
  if (!first) throw new Error('--members must be at least 1');
  model = {
    format: 'vigil-af-window-mlp-1',
    featureNames: [...featureNames],
    mean: first.mean.map(round),
    std: first.std.map(round),
    hidden,
    ...member(first),
    threshold,
    ...(values['atrial-spectrum'] && Object.keys(spectrumOptions).length > 0
      ? { atrialSpectrum: spectrumOptions }
      : {}),
    ...(nets.length > 1 ? { members: nets.slice(1).map(member) } : {}),
    training: {
      rows: kept.length,
      epochs: 40,
      seeds: nets.map((_, m) => firstSeed + m),
      holdBackMod4: holdBack,
      ...(perDbRows !== smallest ? { rowsPerDb: perDbRows } : {}),
      ...(values['ectopy-views'] ? { ectopyViews: true } : {}),
      ...(values['ectopy-views'] ? { ectopyViewShare: [shareLo, shareHi] } : {}),
      ...(values['ectopy-views'] && viewWeight !== 1 ? { ectopyViewWeight: viewWeight } : {}),
    },
  };
  console.log(`fit rows ${kept.length}, ${nets.length} perceptron(s) of ${hidden} hidden units`);
} else {
  const fit = fitLogistic(
    kept.map((i) =>
      (rows[i] ?? new Float64Array(d))
        .subarray(0, d)
        .map((v, j) => (v - (mean[j] ?? 0)) / (std[j] ?? 1)),
    ),
    kept.map((i) => labels[i] === true),
    { l2: 0.001, iterations: 3000 },
  );
  model = {
    format: 'vigil-af-window-logistic-1',
    featureNames: [...featureNames],
    mean: mean.map(round),
    std: std.map(round),
    weights: fit.weights.map(round),
    bias: round(fit.bias),
    threshold,
    ...(values['atrial-spectrum'] && Object.keys(spectrumOptions).length > 0
      ? { atrialSpectrum: spectrumOptions }
      : {}),
  };
  console.log(`fit rows ${kept.length}, log-loss ${fit.loss.toFixed(4)}`);
  console.log(
    featureNames
      .map(
        (f, j) => `${f} ${model.format === 'vigil-af-window-logistic-1' ? model.weights[j] : ''}`,
      )
      .join(', '),
  );
}
for (const [db, n] of perDb) {
  const idx = dbOf.flatMap((v, i) => (v === db ? [i] : []));
  console.log(`${db}: ${n} windows, ${idx.filter((i) => labels[i]).length} in AF`);
}
// Default: the shipped model file, wherever the command is run from (npm sets INIT_CWD to the
// repository root when run as `npm run train:af` there).
const out =
  values.out === undefined
    ? fileURLToPath(new URL('../arrhythmia/model/af-window-model.json', import.meta.url))
    : here(values.out);
// Written as Prettier formats it, so `npm run check` passes on a freshly trained model.
await writeFile(
  out,
  await format(JSON.stringify(model), { ...(await resolveConfig(out)), parser: 'json' }),
);
