/**
 * `npm run eval:ecg12 -- <dir> [--model model.json | --rules] [--list] [--bandpass] [--zscore] [--minmax]`
 *
 * `--bandpass` filters every lead 0.5–40 Hz (zero-phase Butterworth) and `--zscore` scales each
 * lead to zero mean and unit variance before interpretation: the preprocessed, per-lead
 * normalised input the interpretation must detect and handle without voltage criteria; `--minmax`
 * scales each lead linearly to [−1, 1] instead.
 * `npm run eval:ecg12 -- --ludb <LUDB record path, e.g. ../shared/data/ludb/1>`
 * `npm run eval:ecg12 -- --ptbxl <PTB-XL folder> --folds 1-9 [--model model.json] [--list]`
 * `npm run eval:ecg12 -- --ptbxl <PTB-XL folder> --model 'model-{fold}.json'` (out of fold)
 *
 * With `--ludb`: prints, per lead, the median error of the QRS onset and offset of
 * `measureEcg12` against the LUDB cardiologists' delineation (`compareLudbDelineation`).
 *
 * Evaluates `interpretEcg12` on every 12-lead record of <dir> (`.hea` + `.mat` or `.dat`, e.g.
 * the 50 PhysioNet/CinC Challenge 2021 records of ../shared/data/cinc2021). Reference classes
 * come from each header's SNOMED-CT `# Dx:` codes through `SNOMED_SUPERCLASS`. Prints per class
 * the sensitivity and specificity of the multi-label decision (probability ≥ 0.5), and the
 * NORM-vs-abnormal ROC AUC of the score 1 − p(NORM). The probabilities are those of the
 * default interpretation (the shipped model; `--model` another model file, `--rules` the published
 * criteria's own scores), and the same records scored by the criteria are compared with them
 * (paired bootstrap). `--list` prints each record's top class, probabilities, reference and
 * findings. Nothing is tuned here.
 *
 * With `--ptbxl`: the records of a PTB-XL folder in the official layout (`readPtbxl`; the 500 Hz
 * files of `filename_hr`) whose recommended `strat_fold` is in `--folds` (a list such as `1-9` or
 * `10`; default all). The reference classes are PTB-XL's own diagnostic superclasses; records
 * with no diagnostic statement (rhythm or form only) have no reference and are left out. A
 * `--model` path containing `{fold}` names one model per fold (`train:ecg12 --test-fold k`): each
 * record is scored by the model that held its fold out, a 10-fold cross-validation.
 */
import { readdir } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { interpretEcg12 } from '../ecg12/interpret-ecg12.js';
import { interpretEcg12Rules } from '../ecg12/interpret-ecg12-rules.js';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';
import { loadEcg12Model } from '../ecg12/load-ecg12-model.js';
import type { Ecg12Class, Ecg12Model } from '../ecg12/ecg12-types.js';
import { ECG12_CLASSES } from '../ecg12/ecg12-types.js';
import { readEcg12Record } from '../io/index.js';
import type { Ecg12Record } from '../io/index.js';
import { compareLudbDelineation } from './compare-ludb-delineation.js';
import { bootstrapRocAuc } from './bootstrap-roc-auc.js';
import { bootstrapRocAucDifference } from './bootstrap-roc-auc-difference.js';
import { readPtbxl } from './read-ptbxl.js';
import { snomedSuperclasses } from './snomed-superclass.js';

/** Paths on the command line are relative to where npm was run (npm -w runs in the package folder). */
const resolve = (path: string): string => resolvePath(process.env.INIT_CWD ?? process.cwd(), path);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    bandpass: { type: 'boolean', default: false },
    zscore: { type: 'boolean', default: false },
    minmax: { type: 'boolean', default: false },
    model: { type: 'string' },
    rules: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    ludb: { type: 'string' },
    ptbxl: { type: 'string' },
    folds: { type: 'string' },
  },
});
if (values.ludb !== undefined) {
  const { leads: rows, global } = await compareLudbDelineation(resolve(values.ludb));
  console.log(
    `QRS delineation of measureEcg12 against LUDB ${values.ludb} (median over the annotated beats; bias = measured − reference, negative = early)`,
  );
  console.log('lead  beats  |onset err| ms  |offset err| ms  onset bias  offset bias');
  for (const r of rows) {
    console.log(
      `${r.lead.padEnd(4)}  ${String(r.beats).padStart(5)}  ${r.onsetErrorMs.toFixed(1).padStart(14)}  ${r.offsetErrorMs.toFixed(1).padStart(15)}  ${r.onsetBiasMs.toFixed(1).padStart(10)}  ${r.offsetBiasMs.toFixed(1).padStart(11)}`,
    );
  }
  const within = rows.filter((r) => r.onsetErrorMs <= 10 && r.offsetErrorMs <= 10).length;
  console.log(`leads with onset and offset within 10 ms: ${within}/12`);
  const g = global;
  console.log(
    `global QRS (${g.beats} beats with marks in all 12 leads; ms from the beat fiducial): measured onset ${g.measuredOnsetMs.toFixed(0)}, offset ${g.measuredOffsetMs.toFixed(0)}, QRS ${g.measuredQrsMs.toFixed(0)} ms; reference (2nd earliest / 2nd latest mark) ${g.referenceOnsetMs.toFixed(0)}, ${g.referenceOffsetMs.toFixed(0)}, QRS ${g.referenceQrsMs.toFixed(0)} ms; strict earliest / latest mark ${g.extremeOnsetMs.toFixed(0)}, ${g.extremeOffsetMs.toFixed(0)}`,
  );
  process.exit(0);
}
/** Rhythm statements of interpretEcg12 and the SNOMED-CT codes that carry them. */
const RHYTHM_STATEMENTS = [
  'SINUS_RHYTHM',
  'SINUS_BRADYCARDIA',
  'SINUS_TACHYCARDIA',
  'ATRIAL_FIBRILLATION',
  'RHYTHM_UNDETERMINED',
];
const RHYTHM_CODES: [string, string][] = [
  ['426783006', 'SINUS_RHYTHM'],
  ['426177001', 'SINUS_BRADYCARDIA'],
  ['427084000', 'SINUS_TACHYCARDIA'],
  ['164889003', 'ATRIAL_FIBRILLATION'],
];
const dir = positionals[0] ?? values.ptbxl;
if (dir === undefined) {
  console.error(
    'usage: npm run eval:ecg12 -- <dir> | --ptbxl <dir> [--folds 1-9] [--model model.json] [--list]',
  );
  process.exit(2);
}
const perFold = values.model?.includes('{fold}') === true;
if (perFold && values.ptbxl === undefined) {
  console.error('--model with {fold} needs --ptbxl (the folds are PTB-XL strat_folds)');
  process.exit(2);
}
const model =
  values.model === undefined || perFold
    ? undefined
    : loadEcg12Model(await readFile(resolve(values.model), 'utf8'));
const foldModels = new Map<number, Ecg12Model>();
/** The model scoring a record of PTB-XL fold `fold` (undefined: the rules). */
async function modelFor(fold: number | null): Promise<Ecg12Model | undefined> {
  if (!perFold || fold === null) return model;
  let m = foldModels.get(fold);
  if (m === undefined) {
    const path = resolve((values.model ?? '').replaceAll('{fold}', String(fold)));
    m = loadEcg12Model(await readFile(path, 'utf8'));
    foldModels.set(fold, m);
  }
  return m;
}

/** `1-9`, `10`, `1,3,5-7` → the set of folds. */
function parseFolds(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) throw new Error(`--folds: bad part ${part}`);
    for (let f = a; f <= (b ?? a); f++) out.add(f);
  }
  return out;
}
/** The records to score, with their reference superclasses and the header's statement codes. */
async function* records(): AsyncGenerator<{
  record: Ecg12Record;
  truth: Set<Ecg12Class>;
  fold: number | null;
}> {
  if (values.ptbxl !== undefined) {
    const root = resolve(values.ptbxl);
    const folds = values.folds === undefined ? null : parseFolds(values.folds);
    for (const entry of await readPtbxl(root)) {
      if (folds !== null && !folds.has(entry.fold)) continue;
      if (entry.classes.size === 0) continue;
      const record = await readEcg12Record(join(root, entry.filenameHr));
      yield {
        record: {
          ...record,
          name: `ptbxl-${String(entry.ecgId)}`,
          dx: entry.codes,
          age: entry.age,
          sex: entry.sex,
        },
        truth: entry.classes,
        fold: entry.fold,
      };
    }
    return;
  }
  const names = (await readdir(resolve(dir ?? '.'))).filter((f) => f.endsWith('.hea')).sort();
  for (const file of names) {
    const record = await readEcg12Record(join(resolve(dir ?? '.'), file));
    yield { record, truth: snomedSuperclasses(record.dx), fold: null };
  }
}
let relative = 0;
const rejected: string[] = [];
const rows: {
  name: string;
  truth: Set<Ecg12Class>;
  p: Record<Ecg12Class, number>;
  /** The published criteria's probabilities (equal to p when no model scores). */
  pRules: Record<Ecg12Class, number>;
  top: Ecg12Class;
  dx: string[];
  qrsMs: number;
  cdFindings: string[];
  rhythm: string;
}[] = [];
for await (const { record, truth, fold } of records()) {
  const scoring = await modelFor(fold);
  let leads: Float32Array[] = record.leadsMv;
  if (values.bandpass) {
    const sections = designBandpass({ lowHz: 0.5, highHz: 40, fs: record.samplingRateHz });
    leads = leads.map((lead) => Float32Array.from(filtfilt(lead, sections)));
  }
  if (values.minmax) {
    leads = leads.map((lead) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of lead) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return Float32Array.from(lead, (v) => (hi > lo ? (2 * (v - lo)) / (hi - lo) - 1 : 0));
    });
  }
  if (values.zscore) {
    leads = leads.map((lead) => {
      const mean = lead.reduce((a, b) => a + b, 0) / lead.length;
      const sd = Math.sqrt(lead.reduce((a, b) => a + (b - mean) ** 2, 0) / lead.length) || 1;
      return Float32Array.from(lead, (v) => (v - mean) / sd);
    });
  }
  let result: ReturnType<typeof interpretEcg12>;
  try {
    result = interpretEcg12(leads, {
      samplingRateHz: record.samplingRateHz,
      ...(record.age !== null ? { age: record.age } : {}),
      ...(record.sex !== null ? { sex: record.sex } : {}),
      ...(scoring !== undefined ? { model: scoring } : {}),
      ...(values.rules ? { scoring: 'rules' as const } : {}),
    });
  } catch (error) {
    // The service answers such a record with 400 (no interpretation); it is counted, not scored.
    rejected.push(`${record.name} (${(error as Error).message})`);
    continue;
  }
  rows.push({
    name: record.name,
    truth,
    p: result.probabilities,
    pRules:
      result.scoredBy === 'rules'
        ? result.probabilities
        : interpretEcg12Rules(result.measurements, {
            units: result.unitsAssessed,
            age: record.age ?? undefined,
            sex: record.sex ?? undefined,
          }).probabilities,
    top: result.topClass,
    dx: record.dx,
    qrsMs: result.measurements.qrsMs,
    cdFindings: result.findings.filter((f) => f.class === 'CD').map((f) => f.criterion),
    rhythm:
      result.findings.find((f) => RHYTHM_STATEMENTS.includes(f.criterion))?.criterion ?? 'none',
  });
  if (result.unitsAssessed === 'relative') relative++;
  if (values.list) {
    const p = ECG12_CLASSES.map((c) => `${c} ${result.probabilities[c].toFixed(2)}`).join(' ');
    const m = result.measurements;
    console.log(
      `${record.name} top ${result.topClass} ref ${[...truth].join('+')} | ${p} | HR ${m.heartRateBpm.toFixed(0)} PR ${m.prMs.toFixed(0)} QRS ${m.qrsMs.toFixed(0)} QTc ${m.qtcBazettMs.toFixed(0)} axis ${m.axisDeg.toFixed(0)} | ${result.findings.map((f) => f.text).join('; ')}`,
    );
  }
}
console.log(
  `12-lead interpretation on ${rows.length} records of ${dir}${values.folds !== undefined ? ` folds ${values.folds}` : ''} (${values.rules ? 'published criteria scores' : values.model === undefined ? 'shipped model' : `model ${values.model}${perFold ? ' (each record by the model that held its fold out)' : ''}`}${values.bandpass ? ', band-passed 0.5-40 Hz' : ''}${values.zscore ? ', per-lead z-scored' : ''}${values.minmax ? ', per-lead min-max to [-1, 1]' : ''}; units assessed relative on ${relative}/${rows.length})`,
);
if (rejected.length > 0)
  console.log(`not interpreted (input rejected, not scored): ${rejected.join('; ')}`);
console.log(
  'class  n+   n-   sensitivity  specificity  AUC one-vs-rest [95 % bootstrap CI, 2000 resamples]',
);
for (const c of ECG12_CLASSES) {
  const pos = rows.filter((r) => r.truth.has(c));
  const neg = rows.filter((r) => !r.truth.has(c));
  const tp = pos.filter((r) => r.p[c] >= 0.5).length;
  const tn = neg.filter((r) => r.p[c] < 0.5).length;
  const auc = bootstrapRocAuc(
    rows.map((r) => r.p[c]),
    rows.map((r) => r.truth.has(c)),
  );
  const pct = (a: number, b: number): string =>
    b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)} %`;
  console.log(
    `${c.padEnd(5)} ${String(pos.length).padStart(3)}  ${String(neg.length).padStart(3)}   ${pct(tp, pos.length)} (${tp}/${pos.length})  ${pct(tn, neg.length)} (${tn}/${neg.length})  ${Number.isNaN(auc.auc) ? '-' : `${auc.auc.toFixed(3)} [${auc.low.toFixed(2)}, ${auc.high.toFixed(2)}]`}`,
  );
}
const abnormal = rows.map((r) => !r.truth.has('NORM'));
const normAuc = bootstrapRocAuc(
  rows.map((r) => 1 - r.p.NORM),
  abnormal,
);
const topRight = rows.filter((r) => r.truth.has(r.top)).length;
console.log(
  `NORM vs abnormal AUC (score 1 − p(NORM)): ${normAuc.auc.toFixed(3)} [95 % CI ${normAuc.low.toFixed(2)}, ${normAuc.high.toFixed(2)}] (n = ${rows.length}: ${abnormal.filter(Boolean).length} abnormal, ${abnormal.filter((a) => !a).length} NORM)`,
);
console.log(`top class among the reference classes: ${topRight}/${rows.length}`);
if (!values.rules) {
  // Paired: both scorings on the same bootstrap draws of the same records.
  const rulesAuc = bootstrapRocAuc(
    rows.map((r) => 1 - r.pRules.NORM),
    abnormal,
  );
  const d = bootstrapRocAucDifference(
    rows.map((r) => 1 - r.p.NORM),
    rows.map((r) => 1 - r.pRules.NORM),
    abnormal,
  );
  console.log(
    `same records by the published criteria: NORM vs abnormal AUC ${rulesAuc.auc.toFixed(3)} [95 % CI ${rulesAuc.low.toFixed(2)}, ${rulesAuc.high.toFixed(2)}]; model − criteria ${d.difference >= 0 ? '+' : ''}${d.difference.toFixed(3)} [paired 95 % CI ${d.low.toFixed(3)}, ${d.high.toFixed(3)}]`,
  );
}
// CD by kind of reference statement: bundle branch blocks are defined by QRS duration and
// morphology, which the criteria read; the other CD codes each need their own measurement.
const cdKinds: [string, string[]][] = [
  [
    'bundle branch block (RBBB/LBBB, complete or incomplete)',
    [
      '59118001',
      '713427006',
      '713426002',
      '164909002',
      '733534002',
      '251120003',
      '6374002',
      'CRBBB',
      'CLBBB',
      'IRBBB',
      'ILBBB',
    ],
  ],
  ['nonspecific intraventricular conduction disorder', ['698252002', 'IVCD']],
  ['first-degree AV block', ['270492004', '1AVB']],
  ['fascicular block', ['445118002', '445211001', 'LAFB', 'LPFB']],
  ['pre-excitation (WPW)', ['74390002', 'WPW']],
];
for (const [kind, codes] of cdKinds) {
  const withKind = rows.filter((r) => r.dx.some((d) => codes.includes(d)));
  if (withKind.length === 0) continue;
  const found = withKind.filter((r) => r.p.CD >= 0.5);
  console.log(
    `CD, ${kind}: ${found.length}/${withKind.length} with p(CD) ≥ 0.5; measured QRS ${withKind.map((r) => `${r.name} ${r.qrsMs.toFixed(0)} ms${r.cdFindings.length > 0 ? ` (${r.cdFindings.join(', ')})` : ''}`).join(', ')}`,
  );
}
// Rhythm statements against the headers' rhythm codes (a record may carry none).
for (const [code, statement] of RHYTHM_CODES) {
  const withCode = rows.filter((r) => r.dx.includes(code));
  if (withCode.length === 0) continue;
  const agree = withCode.filter((r) => r.rhythm === statement);
  const other = withCode
    .filter((r) => r.rhythm !== statement)
    .map((r) => `${r.name} ${r.rhythm}`)
    .join(', ');
  console.log(
    `rhythm ${statement} (SNOMED ${code}): ${agree.length}/${withCode.length} stated${other === '' ? '' : `; others: ${other}`}`,
  );
}
