import { describe, expect, it } from 'vitest';
import { ec57Compare } from './ec57-compare.js';
import { ec57Gross } from './ec57-gross.js';
import { ec57Reference } from './ec57-reference.js';

const fs = 100; // 150 ms window = 15 samples
const opts = { fs, startS: 0 };

describe('ec57Compare', () => {
  it('matches detections within 150 ms and counts the rest as FN and FP', () => {
    const r = ec57Compare([100, 200, 300, 400], [105, 186, 330, 400, 450], opts);
    // 105↔100 (5), 186↔200 (14), 330 is 30 away from 300: FN 300 and FP 330; 400↔400; 450 FP.
    expect({ tp: r.tp, fn: r.fn, fp: r.fp }).toEqual({ tp: 3, fn: 1, fp: 2 });
    expect(r.missed).toEqual([300]);
    expect(r.extra).toEqual([330, 450]);
    expect(r.sensitivity).toBeCloseTo(75, 10);
    expect(r.positivePredictivity).toBeCloseTo(60, 10);
  });

  it('pairs each detection with at most one beat, preferring the closer one', () => {
    // Two detections near one beat: one TP, one FP. One detection between two beats: one TP.
    expect(ec57Compare([100], [95, 104], opts)).toMatchObject({ tp: 1, fn: 0, fp: 1 });
    expect(ec57Compare([100, 120], [112], opts)).toMatchObject({ tp: 1, fn: 1, fp: 0 });
    expect(ec57Compare([100, 120], [112], opts).missed).toEqual([100]);
  });

  it('applies the bxb 2002 rule when two beats and two detections crowd one window', () => {
    // ref 96/160, test 128/185 with a 37-sample window (bxb's own example): both pair up.
    const r = ec57Compare([96, 160], [128, 185], { fs: 1, startS: 0, matchWindowS: 37 });
    expect({ tp: r.tp, fn: r.fn, fp: r.fp }).toEqual({ tp: 2, fn: 0, fp: 0 });
  });

  it('skips the first 5 minutes by default, letting a detection just before the start match', () => {
    const start = 300 * fs;
    const r = ec57Compare(
      [start - 50, start + 3, start + 100],
      [start - 50, start - 2, start + 100],
      { fs },
    );
    expect({ tp: r.tp, fn: r.fn, fp: r.fp }).toEqual({ tp: 2, fn: 0, fp: 0 });
    // A detection right after the start that belongs to the unscored beat before it is dropped.
    const s = ec57Compare([start - 5, start + 100], [start + 4, start + 100], { fs });
    expect({ tp: s.tp, fn: s.fn, fp: s.fp }).toEqual({ tp: 1, fn: 0, fp: 0 });
  });

  it('ignores unmatched detections inside reference VF episodes', () => {
    const r = ec57Compare([100, 900], [100, 400, 450, 500, 900, 950], {
      ...opts,
      ignoreIntervals: [[300, 600]],
    });
    expect({ tp: r.tp, fn: r.fn, fp: r.fp }).toEqual({ tp: 2, fn: 0, fp: 1 });
  });

  it('reports NaN rates when there is nothing to rate, and rejects a bad fs', () => {
    const r = ec57Compare([], [], opts);
    expect(Number.isNaN(r.sensitivity) && Number.isNaN(r.positivePredictivity)).toBe(true);
    expect(() => ec57Compare([], [], { fs: 0 })).toThrow(
      expect.objectContaining({ field: 'options.fs' }),
    );
  });
});

describe('ec57Gross and ec57Reference', () => {
  it('pools counts over records (gross statistics)', () => {
    const g = ec57Gross([
      { tp: 990, fn: 10, fp: 0 },
      { tp: 10, fn: 0, fp: 10 },
    ]);
    expect(g).toEqual({
      tp: 1000,
      fn: 10,
      fp: 10,
      sensitivity: (100 * 1000) / 1010,
      positivePredictivity: (100 * 1000) / 1010,
    });
  });

  it('keeps beat labels only and collects [ ] flutter episodes', () => {
    const ref = ec57Reference([
      { sample: 1, symbol: '+' },
      { sample: 10, symbol: 'N' },
      { sample: 20, symbol: '~' },
      { sample: 30, symbol: 'V' },
      { sample: 40, symbol: '[' },
      { sample: 45, symbol: '!' },
      { sample: 90, symbol: ']' },
      { sample: 95, symbol: 'x' },
      { sample: 100, symbol: '/' },
    ]);
    expect(Array.from(ref.beats)).toEqual([10, 30, 100]);
    expect(ref.vfIntervals).toEqual([[40, 90]]);
  });
});
