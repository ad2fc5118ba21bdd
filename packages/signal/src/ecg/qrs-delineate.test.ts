import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { readAnnotations, readWfdbRecord } from '../io/index.js';
import { QRS_DELINEATE_CONTEXT_MS, qrsDelineate } from './qrs-delineate.js';

/**
 * Piecewise-linear beats with exactly known QRS limits: flat, Q dip of −0.1 mV (15 ms), R up to
 * 1.2 mV (25 ms), down to S −0.3 mV (35 ms), back to 0 (20 ms): QRS 95 ms from onset to offset.
 */
function triangularBeats(fs: number, rrMs: number, nBeats: number) {
  const knots: [number, number][] = [
    [0, 0],
    [15, -0.1],
    [40, 1.2],
    [75, -0.3],
    [95, 0],
  ];
  const n = Math.round(((nBeats + 1) * rrMs * fs) / 1000);
  const ecg = new Float64Array(n);
  const onsets: number[] = [];
  const peaks: number[] = [];
  for (let b = 0; b < nBeats; b++) {
    const onsetMs = 500 + b * rrMs;
    onsets.push(Math.round((onsetMs * fs) / 1000));
    peaks.push(Math.round(((onsetMs + 40) * fs) / 1000));
    for (let i = 0; i < n; i++) {
      const t = (i * 1000) / fs - onsetMs;
      if (t <= 0 || t >= 95) continue;
      for (let k = 1; k < knots.length; k++) {
        const [t0, v0] = knots[k - 1] ?? [0, 0];
        const [t1, v1] = knots[k] ?? [0, 0];
        if (t <= t1) {
          ecg[i] = v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
          break;
        }
      }
    }
  }
  return { ecg, onsets, peaks };
}

function expectInputError(fn: () => unknown, code: string, field: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SignalInputError);
    expect((error as SignalInputError).code).toBe(code);
    expect((error as SignalInputError).field).toBe(field);
    return;
  }
  throw new Error('expected a SignalInputError');
}

describe('qrsDelineate', () => {
  it.each([125, 250, 360, 500, 1000])(
    'finds a 95 ms QRS of known limits (onset ±8 ms, duration ±15 ms) at %i Hz',
    (fs) => {
      const { ecg, onsets, peaks } = triangularBeats(fs, 800, 6);
      const d = qrsDelineate(ecg, fs, peaks);
      for (let b = 0; b < peaks.length; b++) {
        const onsetErrorMs = (((d.onset[b] ?? -1) - (onsets[b] ?? 0)) * 1000) / fs;
        expect(Math.abs(onsetErrorMs)).toBeLessThanOrEqual(8);
        // The ~20 ms low-pass spreads the end of the shallow S-to-baseline ramp: measured +12…13 ms.
        expect(Math.abs((d.durationMs[b] ?? NaN) - 95)).toBeLessThanOrEqual(15);
      }
    },
  );

  it('gives the same limits for an inverted lead', () => {
    const { ecg, peaks } = triangularBeats(500, 800, 4);
    const a = qrsDelineate(ecg, 500, peaks);
    const b = qrsDelineate(
      ecg.map((v) => -v),
      500,
      peaks,
    );
    expect(Array.from(b.onset)).toEqual(Array.from(a.onset));
    expect(Array.from(b.offset)).toEqual(Array.from(a.offset));
  });

  it('reads nothing outside the documented context around each beat', () => {
    const fs = 360;
    const { ecg, peaks } = triangularBeats(fs, 1000, 5);
    const reference = qrsDelineate(ecg, fs, peaks);
    const p = peaks[2] ?? 0;
    const altered = ecg.slice();
    const from = p - Math.round((QRS_DELINEATE_CONTEXT_MS.before * fs) / 1000);
    const to = p + Math.round((QRS_DELINEATE_CONTEXT_MS.after * fs) / 1000);
    for (let i = 0; i < altered.length; i++) if (i < from || i > to) altered[i] = Math.sin(i);
    const d = qrsDelineate(altered, fs, [p]);
    expect(d.onset[0]).toBe(reference.onset[2]);
    expect(d.offset[0]).toBe(reference.offset[2]);
  });

  it('accepts Float32Array input with the same result', () => {
    const { ecg, peaks } = triangularBeats(360, 800, 4);
    const a = qrsDelineate(ecg, 360, peaks);
    const b = qrsDelineate(Float32Array.from(ecg), 360, peaks);
    expect(Array.from(b.onset)).toEqual(Array.from(a.onset));
    expect(Array.from(b.offset)).toEqual(Array.from(a.offset));
  });

  it('leaves a flat segment undetermined instead of guessing', () => {
    const d = qrsDelineate(new Float64Array(2000), 500, [1000]);
    expect(d.onset[0]).toBe(-1);
    expect(d.offset[0]).toBe(-1);
    expect(d.durationMs[0]).toBeNaN();
  });

  it('returns empty results for no beats', () => {
    const d = qrsDelineate(new Float64Array(100), 500, []);
    expect(d.onset.length).toBe(0);
  });

  it('matches the LUDB record 1 cardiologist annotations of all 12 leads (MAE ≤ 8/8/10.5 ms)', async () => {
    const path = join(import.meta.dirname, 'fixtures', 'ludb', '1');
    const record = await readWfdbRecord(path);
    const annotations = await Promise.all(
      ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'].map((lead) =>
        readAnnotations(path, lead),
      ),
    );
    let n = 0;
    let onsetError = 0;
    let offsetError = 0;
    let durationError = 0;
    annotations.forEach((marks, index) => {
      const truth: { on: number; peak: number; off: number }[] = [];
      for (let i = 1; i + 1 < marks.length; i++) {
        const [prev, cur, next] = [marks[i - 1], marks[i], marks[i + 1]];
        if (cur?.symbol === 'N' && prev?.symbol === '(' && next?.symbol === ')') {
          truth.push({ on: prev.sample, peak: cur.sample, off: next.sample });
        }
      }
      const signal = record.signals[index]?.physical ?? new Float64Array(0);
      const d = qrsDelineate(
        signal,
        record.fs,
        truth.map((t) => t.peak),
      );
      truth.forEach((t, i) => {
        const on = d.onset[i] ?? -1;
        const off = d.offset[i] ?? -1;
        expect(on).toBeGreaterThanOrEqual(0);
        expect(off).toBeGreaterThanOrEqual(0);
        n++;
        onsetError += (Math.abs(on - t.on) * 1000) / record.fs;
        offsetError += (Math.abs(off - t.off) * 1000) / record.fs;
        durationError += (Math.abs(off - on - (t.off - t.on)) * 1000) / record.fs;
      });
    });
    expect(n).toBe(72);
    // measured 7.2 / 7.3 / 9.5 ms (npm run bench:delineate -w @vigil/signal -- <ludb dir>)
    expect(onsetError / n).toBeLessThanOrEqual(8);
    expect(offsetError / n).toBeLessThanOrEqual(8);
    expect(durationError / n).toBeLessThanOrEqual(10.5);
  });

  it('rejects hostile input with typed errors', () => {
    const ecg = new Float64Array(1000);
    expectInputError(
      () => qrsDelineate([1, 2] as unknown as Float64Array, 500, [1]),
      'INVALID_ARGUMENT',
      'ecgMv',
    );
    expectInputError(() => qrsDelineate(ecg, 50, [1]), 'SAMPLE_RATE_OUT_OF_RANGE', 'fs');
    expectInputError(() => qrsDelineate(ecg, NaN, [1]), 'INVALID_SAMPLE_RATE', 'fs');
    expectInputError(() => qrsDelineate(ecg, 500, [5, 3]), 'INVALID_ARGUMENT', 'peaks[1]');
    expectInputError(() => qrsDelineate(ecg, 500, [1000]), 'INVALID_ARGUMENT', 'peaks[0]');
    expectInputError(
      () => qrsDelineate(ecg, 500, [500], { onsetFraction: 2 }),
      'INVALID_OPTION',
      'options.onsetFraction',
    );
    const withNaN = ecg.slice();
    withNaN[480] = NaN;
    expectInputError(() => qrsDelineate(withNaN, 500, [500]), 'NON_FINITE_SAMPLE', 'ecgMv[480]');
  });
});
