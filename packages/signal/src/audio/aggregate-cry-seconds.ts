import { SignalInputError } from '../errors.js';

/**
 * Clip probability from per-second probabilities: the mean of the highest `topShare` of them (at
 * least one). A baby monitor clip that cries for two of seven seconds is a crying clip, so the
 * mean of every second would dilute it, while the single maximum lets one odd second decide.
 *
 * @param perSecond probabilities, 0–1
 * @param topShare share of seconds averaged, (0, 1]
 */
export function aggregateCrySeconds(perSecond: readonly number[], topShare: number): number {
  if (perSecond.length === 0) {
    throw new SignalInputError('EMPTY_INPUT', 'perSecond', 'perSecond must not be empty');
  }
  if (!(topShare > 0 && topShare <= 1)) {
    throw new SignalInputError('INVALID_OPTION', 'topShare', 'topShare must be in (0, 1]');
  }
  const sorted = [...perSecond].sort((a, b) => b - a);
  const k = Math.max(1, Math.ceil(topShare * sorted.length));
  let s = 0;
  for (let i = 0; i < k; i++) s += sorted[i] ?? 0;
  return s / k;
}
