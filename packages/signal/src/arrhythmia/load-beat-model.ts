import { SignalInputError } from '../errors.js';
import type { BeatModel } from './beat-model.js';
import shipped from './model/beat-model.json' with { type: 'json' };

/**
 * The shipped beat model (trained by `npm run train:beats` on the 22 MIT-BIH DS1 records), or a
 * model given as parsed JSON after checking its shape.
 */
export function loadBeatModel(json: unknown = shipped): BeatModel {
  const m = json as Partial<BeatModel> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.format !== 'vigil-beat-mlp-1' ||
    !Array.isArray(m.featureNames) ||
    !Array.isArray(m.classes) ||
    typeof m.hidden !== 'number' ||
    !Array.isArray(m.w1) ||
    m.w1.length !== m.hidden * m.featureNames.length ||
    !Array.isArray(m.w2) ||
    m.w2.length !== m.hidden * m.classes.length ||
    !Array.isArray(m.b1) ||
    !Array.isArray(m.b2) ||
    !Array.isArray(m.mean) ||
    !Array.isArray(m.std) ||
    (m.members !== undefined &&
      (!Array.isArray(m.members) ||
        !m.members.every(
          (e) =>
            Array.isArray(e.w1) &&
            e.w1.length === m.w1?.length &&
            Array.isArray(e.w2) &&
            e.w2.length === m.w2?.length &&
            Array.isArray(e.b1) &&
            Array.isArray(e.b2),
        )))
  ) {
    throw new SignalInputError('INVALID_ARGUMENT', 'json', 'not a vigil-beat-mlp-1 model');
  }
  return m as BeatModel;
}
