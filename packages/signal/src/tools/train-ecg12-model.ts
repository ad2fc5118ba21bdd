import { join } from 'node:path';
import { assessEcg12Units } from '../ecg12/assess-ecg12-units.js';
import { ECG12_FEATURE_NAMES, ecg12Features } from '../ecg12/ecg12-features.js';
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
  /** L2 penalties tried; the one with the best fold-9 macro AUC is kept (the first when fold 9 cannot rank). */
  l2Grid?: number[];
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
  l2: number;
  /** Per-class ROC AUC on each split (NaN where a split lacks positives or negatives). */
  auc: Record<'train' | 'validation' | 'test', Record<Ecg12Class, number>>;
  /** Mean of the defined per-class AUCs of fold 10 (NaN when none is defined). */
  testMacroAuc: number;
}

interface Sample {
  x: Float64Array;
  y: Set<Ecg12Class>;
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
 * it explicitly).
 */
export async function trainEcg12Model(
  dir: string,
  options: TrainEcg12Options = {},
): Promise<TrainEcg12Report> {
  const {
    maxRecordsPerSplit = Infinity,
    l2Grid = [0.001, 0.01, 0.1],
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
        out.push({ x: ecg12Features(m, { units }), y: entry.classes });
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
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(1);
  for (let j = 0; j < d; j++) {
    const v = train.map((s) => s.x[j] ?? NaN).filter(Number.isFinite);
    if (v.length === 0) continue;
    const mu = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length);
    mean[j] = mu;
    scale[j] = sd > 1e-9 ? sd : 1;
  }
  const standardise = (x: Float64Array): Float64Array =>
    x.map((v, j) => (Number.isFinite(v) ? (v - (mean[j] ?? 0)) / (scale[j] ?? 1) : 0));
  const trainX = train.map((s) => standardise(s.x));
  const fit = (l2: number): Ecg12Model => {
    const classes = {} as Ecg12Model['classes'];
    for (const c of ECG12_CLASSES) {
      const { bias, weights } = fitLogistic(
        trainX,
        train.map((s) => s.y.has(c)),
        { l2, iterations },
      );
      classes[c] = { bias, weights };
    }
    return {
      kind: 'vigil-ecg12-logistic',
      version: 1,
      featureNames: [...ECG12_FEATURE_NAMES],
      mean,
      scale,
      classes,
      trainedOn: {},
    };
  };
  const evaluate = (model: Ecg12Model, samples: Sample[]): Record<Ecg12Class, number> => {
    const p = samples.map((s) => predictEcg12Model(model, s.x));
    const out = {} as Record<Ecg12Class, number>;
    for (const c of ECG12_CLASSES)
      out[c] = rocAuc(
        p.map((q) => q[c]),
        samples.map((s) => s.y.has(c)),
      );
    return out;
  };
  let best = { l2: l2Grid[0] ?? 0.01, model: fit(l2Grid[0] ?? 0.01), score: -Infinity };
  for (const l2 of l2Grid) {
    const model = l2 === best.l2 ? best.model : fit(l2);
    const score = macro(evaluate(model, validation));
    log(`l2 ${l2}: fold-${String(validationFold)} macro AUC ${score.toFixed(3)}`);
    if (score > best.score) best = { l2, model, score };
  }
  const auc = {
    train: evaluate(best.model, train),
    validation: evaluate(best.model, validation),
    test: evaluate(best.model, test),
  };
  const testMacroAuc = macro(auc.test);
  const counts = { train: train.length, validation: validation.length, test: test.length, failed };
  best.model.trainedOn = {
    dataset: 'PTB-XL (Wagner et al. 2020), records500',
    folds:
      testFold === 10
        ? { train: '1-8', validation: '9', test: '10' }
        : { train: trainFolds, validation: String(validationFold), test: String(testFold) },
    counts,
    l2: best.l2,
    testAuc: auc.test,
    testMacroAuc,
  };
  return { model: best.model, counts, l2: best.l2, auc, testMacroAuc };
}
