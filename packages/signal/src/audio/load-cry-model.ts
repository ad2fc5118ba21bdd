import { SignalInputError } from '../errors.js';
import type { CryModel } from './cry-model.js';
import shipped from './model/cry-model.json' with { type: 'json' };

/**
 * The shipped cry model (trained by `npm run train:cry`, see `model/CRY-MODEL.md`), or a model
 * given as parsed JSON after checking its shape.
 */
export function loadCryModel(json: unknown = shipped): CryModel {
  const m = json as Partial<CryModel> | null;
  const nIn = Array.isArray(m?.featureNames) ? m.featureNames.length : -1;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.format !== 'vigil-cry-mlp-1' ||
    typeof m.sampleRateHz !== 'number' ||
    typeof m.windowS !== 'number' ||
    typeof m.hidden !== 'number' ||
    typeof m.b2 !== 'number' ||
    typeof m.topShare !== 'number' ||
    !Array.isArray(m.mean) ||
    m.mean.length !== nIn ||
    !Array.isArray(m.std) ||
    m.std.length !== nIn ||
    !Array.isArray(m.w1) ||
    m.w1.length !== m.hidden * nIn ||
    !Array.isArray(m.b1) ||
    m.b1.length !== m.hidden ||
    !Array.isArray(m.w2) ||
    m.w2.length !== (m.hidden === 0 ? nIn : m.hidden)
  ) {
    throw new SignalInputError('INVALID_ARGUMENT', 'json', 'not a vigil-cry-mlp-1 model');
  }
  return m as CryModel;
}
