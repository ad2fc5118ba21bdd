import { SignalInputError } from '../errors.js';
import { ECG12_FEATURE_NAMES } from './ecg12-features.js';
import type { Ecg12Model } from './ecg12-types.js';
import { ECG12_CLASSES } from './ecg12-types.js';
import shipped from './model/ecg12-model.json' with { type: 'json' };

function bad(field: string, message: string): SignalInputError {
  return new SignalInputError('INVALID_ARGUMENT', `model.${field}`, message);
}

function finiteArray(v: unknown, length: number, field: string): number[] {
  if (
    !Array.isArray(v) ||
    v.length !== length ||
    !v.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    throw bad(field, `${field} must be ${length} finite numbers`);
  }
  return v as number[];
}

function classesOf(v: unknown, d: number, prefix: string): Ecg12Model['classes'] {
  if (typeof v !== 'object' || v === null) throw bad(prefix, `${prefix} missing`);
  const classesIn = v as Record<string, { bias?: unknown; weights?: unknown } | undefined>;
  const classes = {} as Ecg12Model['classes'];
  for (const c of ECG12_CLASSES) {
    const entry = classesIn[c];
    if (entry === undefined || typeof entry.bias !== 'number' || !Number.isFinite(entry.bias)) {
      throw bad(`${prefix}.${c}.bias`, `class ${c} needs a finite bias`);
    }
    classes[c] = {
      bias: entry.bias,
      weights: finiteArray(entry.weights, d, `${prefix}.${c}.weights`),
    };
  }
  return classes;
}

/**
 * Validates a model written by `npm run train:ecg12` (parsed JSON, or its text) and returns it
 * typed, ready for `interpretEcg12({ model })`; without an argument, the shipped model
 * (`src/ecg12/model/ecg12-model.json`: PTB-XL records ecg_id 1–500, folds 1–9, see
 * `models/README.md`), which `interpretEcg12` uses by default. The feature names must equal this
 * version's `ECG12_FEATURE_NAMES` (a model of another feature set is refused, not silently
 * misread).
 */
export function loadEcg12Model(json: unknown = shipped): Ecg12Model {
  const value: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (typeof value !== 'object' || value === null)
    throw bad('kind', 'a model must be a JSON object');
  const m = value as Record<string, unknown>;
  if (m.kind !== 'vigil-ecg12-logistic' || m.version !== 1) {
    throw bad(
      'kind',
      `not a vigil-ecg12-logistic v1 model (kind ${String(m.kind)}, version ${String(m.version)})`,
    );
  }
  const names = m.featureNames;
  if (
    !Array.isArray(names) ||
    names.length !== ECG12_FEATURE_NAMES.length ||
    names.some((n, i) => n !== ECG12_FEATURE_NAMES[i])
  ) {
    throw bad(
      'featureNames',
      'the model was trained on another feature set than this version of @vigil/signal computes',
    );
  }
  const d = ECG12_FEATURE_NAMES.length;
  const mean = finiteArray(m.mean, d, 'mean');
  const scale = finiteArray(m.scale, d, 'scale');
  if (scale.some((s) => s <= 0)) throw bad('scale', 'scale must be > 0');
  const classes = classesOf(m.classes, d, 'classes');
  const freeIn: unknown = m.amplitudeFree;
  if (freeIn !== undefined && (typeof freeIn !== 'object' || freeIn === null))
    throw bad('amplitudeFree', 'amplitudeFree must be an object with mean, scale and classes');
  let amplitudeFree: Ecg12Model['amplitudeFree'];
  if (freeIn !== undefined) {
    const free = freeIn as { mean?: unknown; scale?: unknown; classes?: unknown };
    const freeScale = finiteArray(free.scale, d, 'amplitudeFree.scale');
    if (freeScale.some((s) => s <= 0)) throw bad('amplitudeFree.scale', 'scale must be > 0');
    amplitudeFree = {
      mean: finiteArray(free.mean, d, 'amplitudeFree.mean'),
      scale: freeScale,
      classes: classesOf(free.classes, d, 'amplitudeFree.classes'),
    };
  }
  const trainedOn =
    typeof m.trainedOn === 'object' && m.trainedOn !== null
      ? (m.trainedOn as Record<string, unknown>)
      : {};
  return {
    kind: 'vigil-ecg12-logistic',
    version: 1,
    featureNames: [...ECG12_FEATURE_NAMES],
    mean,
    scale,
    classes,
    ...(amplitudeFree === undefined ? {} : { amplitudeFree }),
    trainedOn,
  };
}
