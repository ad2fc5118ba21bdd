import { SignalInputError } from '../errors.js';

/**
 * Checks that `values` is an array-like of finite, strictly positive numbers (intervals in ms) and
 * holds at least `minLength` of them. Throws `SignalInputError` naming `field` otherwise.
 */
export function assertIntervalSeries(values: unknown, field: string, minLength: number): void {
  if (
    values === null ||
    typeof values !== 'object' ||
    typeof (values as { length?: unknown }).length !== 'number'
  ) {
    throw new SignalInputError('INVALID_ARGUMENT', field, `${field} must be an array of numbers`);
  }
  const series = values as ArrayLike<unknown>;
  if (series.length === 0) {
    throw new SignalInputError('EMPTY_INPUT', field, `${field} is empty`);
  }
  if (series.length < minLength) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      field,
      `${field} needs at least ${minLength} values, got ${series.length}`,
    );
  }
  for (let i = 0; i < series.length; i++) {
    const v = series[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new SignalInputError(
        'NON_FINITE_SAMPLE',
        `${field}[${i}]`,
        `${field}[${i}] is not a finite number`,
      );
    }
    if (v <= 0) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        `${field}[${i}]`,
        `${field}[${i}] must be > 0 ms, got ${v}`,
      );
    }
  }
}
