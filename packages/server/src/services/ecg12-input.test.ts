import { describe, expect, it } from 'vitest';
import { isDomainError } from '../errors/catalogue.js';
import { normalizeEcg12Body } from './ecg12-input.js';

const rows = Array.from({ length: 5000 }, (_, i) =>
  Array.from({ length: 12 }, (_, l) => Math.round(Math.sin(i / 50 + l) * 1000) / 1000),
);
const body = () => ({
  age: 60,
  sex: 0,
  height: 165,
  weight: 60,
  heart_axis: 'MID',
  ecg_signal: rows,
});

function refusal(input: unknown): { code: string; field: string | undefined } {
  try {
    normalizeEcg12Body(input);
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, field: error.field };
    throw error;
  }
  throw new Error('accepted');
}

describe('normalizeEcg12Body', () => {
  it('returns the 12 leads column by column, the default rate, and leaves the body untouched', () => {
    const b = body();
    const input = normalizeEcg12Body(b);
    expect(input.samplingRateHz).toBe(500);
    expect(input.leadsMv).toHaveLength(12);
    expect(input.leadsMv[6]?.[17]).toBeCloseTo(rows[17]?.[6] ?? NaN, 6);
    expect(b).not.toHaveProperty('sampling_rate_hz');
    expect(b.ecg_signal).toBe(rows);
  });

  it('refuses an ecg_signal that is missing or not an array through the schema, naming it', () => {
    const { ecg_signal: _, ...without } = body();
    expect(refusal(without)).toEqual({ code: 'VALIDATION_FAILED', field: 'ecg_signal' });
    expect(refusal({ ...body(), ecg_signal: 'x' })).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'ecg_signal',
    });
  });

  it('checks the scalar fields before the rows', () => {
    expect(refusal({ ...body(), heart_axis: 'UP', ecg_signal: [[1]] })).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'heart_axis',
    });
    expect(refusal({ ...body(), ecg_signal: rows.slice(0, 2000) })).toEqual({
      code: 'ECG12_SIGNAL_SHAPE',
      field: 'ecg_signal',
    });
  });

  it('refuses a finite double beyond the float32 range (1e300), naming row and lead', () => {
    const huge = rows.map((row, i) => (i === 10 ? row.map((v, l) => (l === 3 ? 1e300 : v)) : row));
    expect(refusal({ ...body(), ecg_signal: huge })).toEqual({
      code: 'ECG12_SIGNAL_NOT_FINITE',
      field: 'ecg_signal[10][3]',
    });
    // The largest float32 is still a sample.
    const edge = rows.map((row, i) => (i === 10 ? row.map((v, l) => (l === 3 ? 3.4e38 : v)) : row));
    expect(normalizeEcg12Body({ ...body(), ecg_signal: edge }).leadsMv[3]?.[10]).toBeCloseTo(
      3.4e38,
      -32,
    );
  });
});

describe('record length', () => {
  const withRows = (n: number, rate?: number) => ({
    ...body(),
    ecg_signal: Array.from({ length: n }, (_, i) => rows[i % rows.length]),
    ...(rate === undefined ? {} : { sampling_rate_hz: rate }),
  });

  it('accepts records of 5 to 60 s at their rate, not only the standard 10 s', () => {
    expect(normalizeEcg12Body(withRows(2500)).leadsMv[0]).toHaveLength(2500); // 5 s at 500 Hz
    expect(normalizeEcg12Body(withRows(6000)).leadsMv[11]).toHaveLength(6000); // 12 s
    expect(normalizeEcg12Body(withRows(15000, 250)).leadsMv[0]).toHaveLength(15000); // 60 s
  });

  it('refuses a record shorter than 5 s or longer than 60 s, naming ecg_signal and the bounds', () => {
    for (const [n, rate] of [
      [2499, 500],
      [30001, 500],
      [1249, 250],
    ] as const) {
      let message = '';
      try {
        normalizeEcg12Body(withRows(n, rate));
      } catch (error) {
        if (!isDomainError(error)) throw error;
        expect(error.code).toBe('ECG12_SIGNAL_SHAPE');
        expect(error.field).toBe('ecg_signal');
        message = error.message;
      }
      expect(message).toBe(
        `ecg_signal must have ${5 * rate}–${60 * rate} rows (5–60 s at ${rate} Hz; the standard 10 s is ${10 * rate}) of 12 leads [I, II, III, aVR, aVL, aVF, V1–V6] in mV, got ${n} rows`,
      );
    }
  });
});
