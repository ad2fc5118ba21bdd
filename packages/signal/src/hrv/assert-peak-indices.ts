import { SignalInputError } from '../errors.js';

/**
 * Checks beat positions: an array-like of non-negative integer sample indices in strictly
 * increasing order (as `detectQrs` returns them). An empty array is valid (no beats). Throws
 * `SignalInputError` naming `field` otherwise.
 */
export function assertPeakIndices(peaks: unknown, field: string): void {
  if (
    peaks === null ||
    typeof peaks !== 'object' ||
    typeof (peaks as { length?: unknown }).length !== 'number'
  ) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      field,
      `${field} must be an array of sample indices`,
    );
  }
  const list = peaks as ArrayLike<unknown>;
  let previous = -1;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new SignalInputError(
        'NON_FINITE_SAMPLE',
        `${field}[${i}]`,
        `${field}[${i}] is not a finite number`,
      );
    }
    if (!Number.isInteger(v) || v < 0) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `${field}[${i}]`,
        `${field}[${i}] must be a non-negative integer sample index, got ${v}`,
      );
    }
    if (v <= previous) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `${field}[${i}]`,
        `${field} must be strictly increasing (index ${i}: ${v} after ${previous})`,
      );
    }
    previous = v;
  }
}
