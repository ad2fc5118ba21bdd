import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { hrvFrequencyDomain } from './hrv-frequency-domain.js';
import { hrvTimeDomain } from './hrv-time-domain.js';
import { nnIntervals } from './nn-intervals.js';
import { poincare } from './poincare.js';
import { rrIntervalsMs } from './rr-intervals-ms.js';

const FS = 1000;

/** Beat sample indices (at FS) from a list of RR intervals in ms, first beat at 1 s. */
function beatsFromRr(rrMs: number[]): Int32Array {
  const peaks = new Int32Array(rrMs.length + 1);
  let t = 1000;
  peaks[0] = t;
  rrMs.forEach((rr, i) => {
    t += rr;
    peaks[i + 1] = Math.round(t);
  });
  return peaks;
}

/** RR series sinusoidally modulated: RR(t) = meanMs + amplitudeMs·sin(2πft), sampled at each beat. */
function modulatedRr(meanMs: number, amplitudeMs: number, fHz: number, durationS: number) {
  const nn: number[] = [];
  const times: number[] = [];
  let t = 0;
  while (t < durationS * 1000) {
    const rr = meanMs + amplitudeMs * Math.sin((2 * Math.PI * fHz * t) / 1000);
    t += rr;
    nn.push(rr);
    times.push(t);
  }
  return { nn: Float64Array.from(nn), times: Float64Array.from(times) };
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

describe('rrIntervalsMs', () => {
  it('converts beat sample indices to intervals in ms at the given sampling rate', () => {
    expect(Array.from(rrIntervalsMs([0, 360, 648, 1008], 360))).toEqual([1000, 800, 1000]);
  });

  it('returns no interval for fewer than two beats', () => {
    expect(rrIntervalsMs(new Int32Array(0), 360).length).toBe(0);
    expect(rrIntervalsMs([5], 360).length).toBe(0);
  });

  it('rejects unsorted, negative, fractional and non-finite beats and bad sampling rates', () => {
    expectInputError(() => rrIntervalsMs([10, 5], 360), 'INVALID_ARGUMENT', 'peaks[1]');
    expectInputError(() => rrIntervalsMs([-1, 5], 360), 'INVALID_ARGUMENT', 'peaks[0]');
    expectInputError(() => rrIntervalsMs([1.5, 5], 360), 'INVALID_ARGUMENT', 'peaks[0]');
    expectInputError(() => rrIntervalsMs([1, NaN], 360), 'NON_FINITE_SAMPLE', 'peaks[1]');
    expectInputError(() => rrIntervalsMs([1, 2], 0), 'INVALID_SAMPLE_RATE', 'fs');
    expectInputError(() => rrIntervalsMs([1, 2], Infinity), 'INVALID_SAMPLE_RATE', 'fs');
    expectInputError(
      () => rrIntervalsMs(null as unknown as number[], 360),
      'INVALID_ARGUMENT',
      'peaks',
    );
  });
});

describe('nnIntervals', () => {
  it('keeps every interval of a steady rhythm, adjacent to each other', () => {
    const nn = nnIntervals(beatsFromRr(Array<number>(100).fill(800)), FS);
    expect(nn.nnMs.length).toBe(100);
    expect(nn.nnMs.every((v) => v === 800)).toBe(true);
    expect(nn.followsPrevious[0]).toBe(0);
    expect(nn.followsPrevious.slice(1).every((v) => v === 1)).toBe(true);
    expect(nn.timesMs[0]).toBe(1800);
  });

  it('drops both intervals around a premature beat by the 20 % rule, leaving a gap', () => {
    const rr = Array<number>(60).fill(800);
    rr[30] = 500; // premature beat 300 ms early ...
    rr[31] = 1100; // ... then the compensatory pause
    const nn = nnIntervals(beatsFromRr(rr), FS);
    expect(nn.excluded).toEqual({ notNormalBeat: 0, outOfRange: 0, relativeDeviation: 2 });
    expect(nn.nnMs.length).toBe(58);
    expect(nn.nnMs.every((v) => v === 800)).toBe(true);
    // interval 32 (now index 30) follows a gap
    expect(nn.followsPrevious[30]).toBe(0);
    expect(nn.followsPrevious[29]).toBe(1);
  });

  it('keeps no interval of ventricular bigeminy, where every interval touches an ectopic beat', () => {
    // N–V coupling 500 ms, V–N compensatory pause 1100 ms (sinus cycle 800 ms), then sinus again.
    const rr = [
      ...Array<number>(20).fill(800),
      ...Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 500 : 1100)),
      ...Array<number>(20).fill(800),
    ];
    const nn = nnIntervals(beatsFromRr(rr), FS);
    expect(nn.excluded.relativeDeviation).toBe(40);
    expect(nn.nnMs.every((v) => v === 800)).toBe(true);
  });

  it('drops the interval after a premature beat even without a full compensatory pause', () => {
    const rr = Array<number>(40).fill(800);
    rr[20] = 560; // 30 % premature
    rr[21] = 850; // pause within 20 %, yet it starts at the ectopic beat
    const nn = nnIntervals(beatsFromRr(rr), FS);
    expect(nn.excluded.relativeDeviation).toBe(2);
    expect(nn.nnMs.length).toBe(38);
  });

  it('drops intervals touching a beat labelled not normal, even when regular', () => {
    const peaks = beatsFromRr(Array<number>(20).fill(800));
    const normal = Array.from(peaks, (_, i) => i !== 10);
    const nn = nnIntervals(peaks, FS, { beatIsNormal: normal, maxRelativeDeviation: null });
    expect(nn.excluded.notNormalBeat).toBe(2);
    expect(nn.nnMs.length).toBe(18);
  });

  it('drops implausible intervals (missed beat, double detection)', () => {
    const rr = Array<number>(30).fill(800);
    rr[10] = 2400;
    rr[20] = 150;
    const nn = nnIntervals(beatsFromRr(rr), FS, { maxRelativeDeviation: null });
    expect(nn.excluded.outOfRange).toBe(2);
  });

  it('follows a gradual rate change without excluding it', () => {
    const rr = Array.from({ length: 200 }, (_, i) => 1000 - 2 * i); // 60 → 100 bpm
    const nn = nnIntervals(beatsFromRr(rr), FS);
    expect(nn.nnMs.length).toBe(200);
  });

  it('rejects options that make no sense', () => {
    const peaks = [0, 800, 1600];
    expectInputError(
      () => nnIntervals(peaks, FS, { beatIsNormal: [true] }),
      'INVALID_OPTION',
      'options.beatIsNormal',
    );
    expectInputError(
      () => nnIntervals(peaks, FS, { medianWindow: 4 }),
      'INVALID_OPTION',
      'options.medianWindow',
    );
    expectInputError(
      () => nnIntervals(peaks, FS, { maxRelativeDeviation: -1 }),
      'INVALID_OPTION',
      'options.maxRelativeDeviation',
    );
    expectInputError(
      () => nnIntervals(peaks, FS, { minRrMs: 900, maxRrMs: 800 }),
      'INVALID_OPTION',
      'options.maxRrMs',
    );
  });
});

describe('hrvTimeDomain', () => {
  it('gives HR 75 and zero variability for a constant 800 ms rhythm', () => {
    const h = hrvTimeDomain(Array<number>(300).fill(800));
    expect(h.meanNnMs).toBe(800);
    expect(h.hrMeanBpm).toBeCloseTo(75, 10);
    expect(h.hrMinBpm).toBeCloseTo(75, 10);
    expect(h.hrMaxBpm).toBeCloseTo(75, 10);
    expect(h.sdnnMs).toBe(0);
    expect(h.rmssdMs).toBe(0);
    expect(h.sdsdMs).toBe(0);
    expect(h.pnn50).toBe(0);
  });

  it('gives the analytic values for alternating 800/1000 ms intervals', () => {
    const n = 300;
    const nn = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 800 : 1000));
    const h = hrvTimeDomain(nn);
    expect(h.meanNnMs).toBe(900);
    expect(h.hrMeanBpm).toBeCloseTo(200 / 3, 10);
    // sample SD of ±100 around 900: 100·√(n/(n−1))
    expect(h.sdnnMs).toBeCloseTo(100 * Math.sqrt(n / (n - 1)), 9);
    // every successive difference is ±200 ms
    expect(h.rmssdMs).toBeCloseTo(200, 9);
    expect(h.pnn50).toBe(100);
    expect(h.pnn20).toBe(100);
    expect(h.nDifferences).toBe(n - 1);
    // differences alternate +200/−200 over an odd count: mean 200/299, SD ≈ 200 within 0.2 %
    expect(h.sdsdMs).toBeGreaterThan(199.6);
    expect(h.sdsdMs).toBeLessThan(200.4);
    // 5-beat averages are 880 or 920 ms
    expect(h.hrMaxBpm).toBeCloseTo(60000 / 880, 9);
    expect(h.hrMinBpm).toBeCloseTo(60000 / 920, 9);
  });

  it('counts pNN50 over successive differences, never across a gap', () => {
    const nn = [800, 900, 800, 1000];
    expect(hrvTimeDomain(nn).pnn50).toBeCloseTo((100 * 3) / 3, 10);
    const h = hrvTimeDomain(nn, { followsPrevious: [0, 1, 0, 1] });
    expect(h.nDifferences).toBe(2);
    expect(h.rmssdMs).toBeCloseTo(Math.sqrt((100 * 100 + 200 * 200) / 2), 10);
    expect(hrvTimeDomain([800, 830, 890]).pnn50).toBe(50);
    expect(hrvTimeDomain([800, 830, 890]).pnn20).toBe(100);
  });

  it('rejects empty, too short, non-finite, non-positive input and gaps everywhere', () => {
    expectInputError(() => hrvTimeDomain([]), 'EMPTY_INPUT', 'nnMs');
    expectInputError(() => hrvTimeDomain([800]), 'INVALID_ARGUMENT', 'nnMs');
    expectInputError(() => hrvTimeDomain([800, Infinity]), 'NON_FINITE_SAMPLE', 'nnMs[1]');
    expectInputError(() => hrvTimeDomain([800, NaN]), 'NON_FINITE_SAMPLE', 'nnMs[1]');
    expectInputError(() => hrvTimeDomain([800, 0]), 'INVALID_ARGUMENT', 'nnMs[1]');
    expectInputError(
      () => hrvTimeDomain([800, 810], { followsPrevious: [0, 0] }),
      'INVALID_ARGUMENT',
      'nnMs',
    );
    expectInputError(
      () => hrvTimeDomain([800, 810], { hrAverageBeats: 0 }),
      'INVALID_OPTION',
      'options.hrAverageBeats',
    );
    expectInputError(() => hrvTimeDomain('800' as unknown as number[]), 'INVALID_ARGUMENT', 'nnMs');
  });
});

describe('poincare', () => {
  it('puts alternating intervals entirely across the identity line (SD2 = 0)', () => {
    const n = 301;
    const nn = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 800 : 1000));
    const p = poincare(nn);
    expect(p.nPairs).toBe(n - 1);
    expect(p.sd2Ms).toBeCloseTo(0, 9);
    // (b − a)/√2 = ±141.42 alternating, even count → mean 0, sample SD = 141.42·√(m/(m−1))
    expect(p.sd1Ms).toBeCloseTo((200 / Math.SQRT2) * Math.sqrt((n - 1) / (n - 2)), 9);
  });

  it('relates SD1 to RMSSD and SD2 to SDNN for a modulated rhythm', () => {
    const { nn } = modulatedRr(900, 60, 0.05, 300);
    const p = poincare(nn);
    const h = hrvTimeDomain(nn);
    // SD1² = SDSD²/2 and SD2² = 2·SDNN² − SD1² (Brennan 2001), up to end effects
    expect(p.sd1Ms).toBeCloseTo(h.sdsdMs / Math.SQRT2, 6);
    expect(p.sd2Ms / Math.sqrt(2 * h.sdnnMs ** 2 - p.sd1Ms ** 2)).toBeCloseTo(1, 2);
  });

  it('rejects fewer than two pairs', () => {
    expectInputError(() => poincare([800, 900]), 'INVALID_ARGUMENT', 'nnMs');
    expectInputError(
      () => poincare([800, 900, 800, 900], { followsPrevious: [0, 1, 0, 0] }),
      'INVALID_ARGUMENT',
      'nnMs',
    );
  });
});

describe('hrvFrequencyDomain', () => {
  it('puts a 0.1 Hz RR modulation in LF with power A²/2', () => {
    const amplitude = 40;
    const { nn, times } = modulatedRr(850, amplitude, 0.1, 300);
    const f = hrvFrequencyDomain(nn, times);
    expect(f.lfPeakHz).toBeCloseTo(0.1, 2);
    // 3 % tolerance: uneven (beat) sampling and the band edges leak a little power
    expect(f.lfMs2 / (amplitude ** 2 / 2)).toBeGreaterThan(0.97);
    expect(f.lfMs2 / (amplitude ** 2 / 2)).toBeLessThan(1.03);
    expect(f.lfNu).toBeGreaterThan(95);
    expect(f.hfMs2).toBeLessThan(0.05 * f.lfMs2);
  });

  it('puts a 0.25 Hz RR modulation in HF with power A²/2', () => {
    const amplitude = 25;
    const { nn, times } = modulatedRr(800, amplitude, 0.25, 300);
    const f = hrvFrequencyDomain(nn, times);
    expect(f.hfPeakHz).toBeCloseTo(0.25, 2);
    expect(f.hfMs2 / (amplitude ** 2 / 2)).toBeGreaterThan(0.97);
    expect(f.hfMs2 / (amplitude ** 2 / 2)).toBeLessThan(1.03);
    expect(f.hfNu).toBeGreaterThan(95);
    expect(f.lfHfRatio).toBeLessThan(0.05);
  });

  it('separates two modulations by band and keeps their power ratio', () => {
    const lf = modulatedRr(900, 30, 0.1, 300);
    // add a 0.3 Hz component of amplitude 15 at the same beat times
    const nn = lf.nn.map(
      (v, i) => v + 15 * Math.sin((2 * Math.PI * 0.3 * (lf.times[i] ?? 0)) / 1000),
    );
    const f = hrvFrequencyDomain(nn, lf.times);
    expect(f.lfHfRatio).toBeGreaterThan(3.4);
    expect(f.lfHfRatio).toBeLessThan(4.6);
    expect(f.totalMs2).toBeGreaterThan(f.lfMs2 + f.hfMs2 - 1e-9);
  });

  it('tolerates gaps left by excluded beats', () => {
    const { nn, times } = modulatedRr(850, 40, 0.1, 300);
    const keep = Array.from(nn, (_, i) => i % 37 !== 5 && i % 37 !== 6);
    const f = hrvFrequencyDomain(
      nn.filter((_, i) => keep[i]),
      times.filter((_, i) => keep[i]),
    );
    expect(f.lfMs2 / 800).toBeGreaterThan(0.85);
    expect(f.lfMs2 / 800).toBeLessThan(1.15);
  });

  it('rejects mismatched times, unsorted times, too short a series and bad bands', () => {
    const { nn, times } = modulatedRr(850, 40, 0.1, 300);
    expectInputError(
      () => hrvFrequencyDomain(nn, times.slice(1)),
      'INVALID_ARGUMENT',
      'beatTimesMs',
    );
    const swapped = times.slice();
    swapped[3] = swapped[2] ?? 0;
    expectInputError(() => hrvFrequencyDomain(nn, swapped), 'INVALID_ARGUMENT', 'beatTimesMs[3]');
    expectInputError(
      () => hrvFrequencyDomain(nn.slice(0, 20), times.slice(0, 20)),
      'INVALID_ARGUMENT',
      'beatTimesMs',
    );
    expectInputError(() => hrvFrequencyDomain([], []), 'EMPTY_INPUT', 'nnMs');
    expectInputError(
      () =>
        hrvFrequencyDomain(nn, times, {
          bands: { vlf: [0.0033, 0.04], lf: [0.15, 0.04], hf: [0.15, 0.4] },
        }),
      'INVALID_OPTION',
      'options.bands.lf',
    );
  });
});
