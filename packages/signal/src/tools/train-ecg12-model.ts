import { join } from 'node:path';
import { assessEcg12Units } from '../ecg12/assess-ecg12-units.js';
import { ECG12_FEATURE_NAMES, ecg12Features } from '../ecg12/ecg12-features.js';
import { interpretEcg12Rules } from '../ecg12/interpret-ecg12-rules.js';
import type { Ecg12Class, Ecg12Model } from '../ecg12/ecg12-types.js';
import { ECG12_CLASSES } from '../ecg12/ecg12-types.js';
import { measureEcg12 } from '../ecg12/measure-ecg12.js';
import { predictEcg12Model } from '../ecg12/predict-ecg12-model.js';
import { readEcg12Record } from '../io/index.js';
import { fitLogistic } from './fit-logistic.js';
import { readPtbxl } from './read-ptbxl.js';
import { rocAuc } from './roc-auc.js';

export interface TrainEcg12Options {
  /** At most this many records per fold group (train, validation, test), for bounded runs. Default all. */
  maxRecordsPerSplit?: number;
  /**
   * L2 penalties tried; the one with the best validation-fold macro AUC is kept (the first when
   * the validation fold cannot rank). Chosen separately for the full and the amplitude-free
   * classes. Default 0.01, 0.03, 0.1, 0.3, 1.
   */
  l2Grid?: number[];
  /**
   * After choosing the penalties, fit the final model on the training and validation folds
   * together (1–9 for test fold 10). Default true; false keeps the model fitted on the training
   * folds only.
   */
  refit?: boolean;
  /**
   * Platt-scale each class of the final model (Platt 1999): σ(a·s + b) fitted on out-of-fold
   * log-odds s of the final model's records (each fold scored by a model fitted on the others
   * with the chosen penalty), folded into its bias and weights. Monotone per class, so every
   * ROC AUC is unchanged; the probabilities (the p ≥ 0.5 decisions, the top class) become
   * calibrated instead of shrunk towards the prevalence by the penalty. Default true.
   */
  calibrate?: boolean;
  /** Gradient steps per fit. Default 2000. */
  iterations?: number;
  /**
   * The test fold. Default 10, PTB-XL's recommendation (validation 9, train 1–8). Another fold k
   * (for a 10-fold cross-validation) makes k − 1 the validation fold (10 when k = 1) and the
   * eight others the training folds.
   */
  testFold?: number;
  /** Progress messages. Default none. */
  log?: (line: string) => void;
}

export interface TrainEcg12Report {
  model: Ecg12Model;
  counts: { train: number; validation: number; test: number; failed: number };
  /** Penalty of the full classes (mV input) and of the amplitude-free classes. */
  l2: number;
  l2AmplitudeFree: number;
  /** Per-class ROC AUC on each split (NaN where a split lacks positives or negatives). */
  auc: Record<'train' | 'validation' | 'test', Record<Ecg12Class, number>>;
  /** Mean of the defined per-class AUCs of fold 10 (NaN when none is defined). */
  testMacroAuc: number;
  /** Per-class ROC AUC of the amplitude-free classes on the test fold. */
  testAucAmplitudeFree: Record<Ecg12Class, number>;
}

interface Sample {
  /** Features as the record's units allow (mV: all), with the criteria's scores in those units. */
  x: Float64Array;
  /** Features without amplitudes, with the criteria's scores without voltage criteria. */
  xFree: Float64Array;
  y: Set<Ecg12Class>;
  fold: number;
}

function macro(auc: Record<Ecg12Class, number>): number {
  const defined = ECG12_CLASSES.map((c) => auc[c]).filter((v) => !Number.isNaN(v));
  return defined.length === 0 ? NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/**
 * Trains the multi-label logistic model over `ecg12Features` on PTB-XL's recommended folds
 * (Strodthoff et al., IEEE JBHI 2021;25:1519: train 1–8, validation 9, test 10) and reports the
 * per-class and macro ROC AUC on fold 10. Features are standardised with the training mean and SD;
 * missing values take the mean. One binary model per superclass (NORM included, as PTB-XL labels
 * it explicitly). Two models are fitted on the same records: the full one, and an amplitude-free
 * one (`amplitudeFree`: the amplitude features of `ECG12_AMPLITUDE_FEATURES` left out, the
 * criteria's scores taken without voltage criteria) that scores input whose amplitudes are not
 * millivolts. Each penalty is chosen on the
 * validation fold; with `refit` (default) the final model is then fitted on training and
 * validation folds together and the test fold is scored once with it.
 */
export async function trainEcg12Model(
  dir: string,
  options: TrainEcg12Options = {},
): Promise<TrainEcg12Report> {
  const {
    maxRecordsPerSplit = Infinity,
    l2Grid = [0.01, 0.03, 0.1, 0.3, 1],
    refit = true,
    calibrate = true,
    iterations = 2000,
    testFold = 10,
    log = () => undefined,
  } = options;
  if (!Number.isInteger(testFold) || testFold < 1 || testFold > 10)
    throw new RangeError(`testFold must be an integer 1-10, got ${String(testFold)}`);
  const validationFold = testFold === 1 ? 10 : testFold - 1;
  const entries = await readPtbxl(dir);
  const splits = {
    train: entries
      .filter(
        (e) => e.fold >= 1 && e.fold <= 10 && e.fold !== testFold && e.fold !== validationFold,
      )
      .slice(0, maxRecordsPerSplit),
    validation: entries.filter((e) => e.fold === validationFold).slice(0, maxRecordsPerSplit),
    test: entries.filter((e) => e.fold === testFold).slice(0, maxRecordsPerSplit),
  };
  const trainFolds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    .filter((f) => f !== testFold && f !== validationFold)
    .join(',');
  let failed = 0;
  const featurise = async (list: typeof entries): Promise<Sample[]> => {
    const out: Sample[] = [];
    for (const entry of list) {
      try {
        const record = await readEcg12Record(join(dir, entry.filenameHr));
        const units = assessEcg12Units(record.leadsMv, {
          samplingRateHz: record.samplingRateHz,
        }).units;
        const m = measureEcg12(record.leadsMv, { samplingRateHz: record.samplingRateHz });
        const person = { age: entry.age ?? undefined, sex: entry.sex ?? undefined };
        const rules = interpretEcg12Rules(m, { units, ...person }).probabilities;
        const rulesFree = interpretEcg12Rules(m, { units: 'relative', ...person }).probabilities;
        out.push({
          x: ecg12Features(m, { units, rules }),
          xFree: ecg12Features(m, { units: 'relative', rules: rulesFree }),
          y: entry.classes,
          fold: entry.fold,
        });
      } catch (error) {
        failed++;
        log(`skipped ecg_id ${entry.ecgId}: ${(error as Error).message}`);
      }
      if (out.length % 500 === 0 && out.length > 0) log(`${out.length} records measured`);
    }
    return out;
  };
  const train = await featurise(splits.train);
  const validation = await featurise(splits.validation);
  const test = await featurise(splits.test);
  if (train.length === 0)
    throw new Error(`no training records (folds ${trainFolds}) could be read in ${dir}`);

  const d = ECG12_FEATURE_NAMES.length;
  /** Standardisation from `samples` (mean and SD of the finite values; NaN → 0 after it). */
  const design = (samples: Sample[], amplitudeFree: boolean) => {
    const xs = samples.map((s) => (amplitudeFree ? s.xFree : s.x));
    const mean = new Array<number>(d).fill(0);
    const scale = new Array<number>(d).fill(1);
    for (let j = 0; j < d; j++) {
      const v = xs.map((x) => x[j] ?? NaN).filter(Number.isFinite);
      if (v.length === 0) continue;
      const mu = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length);
      mean[j] = mu;
      scale[j] = sd > 1e-9 ? sd : 1;
    }
    const rows = xs.map((x) =>
      x.map((v, j) => (Number.isFinite(v) ? (v - (mean[j] ?? 0)) / (scale[j] ?? 1) : 0)),
    );
    return { mean, scale, rows };
  };
  const fitClasses = (x: Float64Array[], samples: Sample[], l2: number): Ecg12Model['classes'] => {
    const classes = {} as Ecg12Model['classes'];
    for (const c of ECG12_CLASSES) {
      const { bias, weights } = fitLogistic(
        x,
        samples.map((s) => s.y.has(c)),
        { l2, iterations },
      );
      classes[c] = { bias, weights };
    }
    return classes;
  };
  type Part = { mean: number[]; scale: number[]; classes: Ecg12Model['classes'] };
  const modelOf = (full: Part, free: Part): Ecg12Model => ({
    kind: 'vigil-ecg12-logistic',
    version: 1,
    featureNames: [...ECG12_FEATURE_NAMES],
    ...full,
    amplitudeFree: free,
    trainedOn: {},
  });
  const evaluate = (
    model: Ecg12Model,
    samples: Sample[],
    amplitudeFree = false,
  ): Record<Ecg12Class, number> => {
    const scoring =
      amplitudeFree && model.amplitudeFree !== undefined
        ? { ...model, ...model.amplitudeFree }
        : model;
    const p = samples.map((s) => predictEcg12Model(scoring, amplitudeFree ? s.xFree : s.x));
    const out = {} as Record<Ecg12Class, number>;
    for (const c of ECG12_CLASSES)
      out[c] = rocAuc(
        p.map((q) => q[c]),
        samples.map((s) => s.y.has(c)),
      );
    return out;
  };
  // Penalties on the validation fold, each model on its own.
  const choose = (amplitudeFree: boolean): { l2: number; part: Part } => {
    const t = design(train, amplitudeFree);
    let best: { l2: number; part: Part; score: number } = {
      l2: l2Grid[0] ?? 0.1,
      part: { mean: t.mean, scale: t.scale, classes: {} as Part['classes'] },
      score: -Infinity,
    };
    for (const l2 of l2Grid) {
      const part = { mean: t.mean, scale: t.scale, classes: fitClasses(t.rows, train, l2) };
      const score = macro(evaluate(modelOf(part, part), validation, amplitudeFree));
      log(
        `${amplitudeFree ? 'amplitude-free ' : ''}l2 ${l2}: fold-${String(validationFold)} macro AUC ${score.toFixed(3)}`,
      );
      if (score > best.score || best.score === -Infinity) best = { l2, part, score };
    }
    return best;
  };
  const full = choose(false);
  const free = choose(true);
  let model = modelOf(full.part, free.part);
  const validationAuc = evaluate(model, validation);
  const finalSamples = refit ? [...train, ...validation] : train;
  if (refit) {
    const refitPart = (amplitudeFree: boolean, l2: number): Part => {
      const t = design(finalSamples, amplitudeFree);
      return { mean: t.mean, scale: t.scale, classes: fitClasses(t.rows, finalSamples, l2) };
    };
    model = modelOf(refitPart(false, full.l2), refitPart(true, free.l2));
  }
  const calibration: Record<string, Record<Ecg12Class, { a: number; b: number }>> = {};
  if (calibrate) {
    const folds = [...new Set(finalSamples.map((s) => s.fold))];
    for (const amplitudeFree of [false, true]) {
      const l2 = amplitudeFree ? free.l2 : full.l2;
      // Out-of-fold log-odds of every final-fit record, per class.
      const oof: { s: Record<Ecg12Class, number>; y: Set<Ecg12Class> }[] = [];
      for (const f of folds) {
        const rest = finalSamples.filter((s) => s.fold !== f);
        const held = finalSamples.filter((s) => s.fold === f);
        if (rest.length === 0 || held.length === 0) continue;
        const t = design(rest, amplitudeFree);
        const part = { mean: t.mean, scale: t.scale, classes: fitClasses(t.rows, rest, l2) };
        const scoring = modelOf(part, part);
        for (const s of held) {
          const p = predictEcg12Model(scoring, amplitudeFree ? s.xFree : s.x);
          const logit = {} as Record<Ecg12Class, number>;
          for (const c of ECG12_CLASSES) {
            const q = Math.min(1 - 1e-9, Math.max(1e-9, p[c]));
            logit[c] = Math.log(q / (1 - q));
          }
          oof.push({ s: logit, y: s.y });
        }
      }
      const target = amplitudeFree ? model.amplitudeFree : model;
      if (target === undefined || oof.length === 0) continue;
      const ab = {} as Record<Ecg12Class, { a: number; b: number }>;
      for (const c of ECG12_CLASSES) {
        const v = oof.map((o) => o.s[c]);
        const mu = v.reduce((x, y) => x + y, 0) / v.length;
        const sd = Math.sqrt(v.reduce((x, y) => x + (y - mu) ** 2, 0) / v.length) || 1;
        const fit = fitLogistic(
          v.map((x) => Float64Array.of((x - mu) / sd)),
          oof.map((o) => o.y.has(c)),
          { l2: 0, iterations },
        );
        const a = (fit.weights[0] ?? 0) / sd;
        // A class the out-of-fold scores do not rank (a ≤ 0) keeps its scores.
        const one = a > 0 ? { a, b: fit.bias - a * mu } : { a: 1, b: 0 };
        ab[c] = one;
        const k = target.classes[c];
        target.classes[c] = {
          bias: one.a * k.bias + one.b,
          weights: k.weights.map((w) => one.a * w),
        };
      }
      calibration[amplitudeFree ? 'amplitudeFree' : 'full'] = ab;
      log(
        `${amplitudeFree ? 'amplitude-free ' : ''}Platt scaling on ${String(oof.length)} out-of-fold records: ${ECG12_CLASSES.map((c) => `${c} a ${ab[c].a.toFixed(2)} b ${ab[c].b.toFixed(2)}`).join(', ')}`,
      );
    }
  }
  const auc = {
    train: evaluate(model, train),
    validation: validationAuc,
    test: evaluate(model, test),
  };
  const testAucAmplitudeFree = evaluate(model, test, true);
  const testMacroAuc = macro(auc.test);
  const counts = { train: train.length, validation: validation.length, test: test.length, failed };
  model.trainedOn = {
    dataset: 'PTB-XL (Wagner et al. 2020), records500',
    folds:
      testFold === 10
        ? { train: '1-8', validation: '9', test: '10' }
        : { train: trainFolds, validation: String(validationFold), test: String(testFold) },
    counts,
    l2: full.l2,
    l2AmplitudeFree: free.l2,
    finalFit: refit
      ? `training and validation folds (${String(finalSamples.length)} records)`
      : `training folds (${String(finalSamples.length)} records)`,
    ...(calibrate ? { calibration } : {}),
    testAuc: auc.test,
    testMacroAuc,
    testAucAmplitudeFree,
  };
  return {
    model,
    counts,
    l2: full.l2,
    l2AmplitudeFree: free.l2,
    auc,
    testMacroAuc,
    testAucAmplitudeFree,
  };
}
