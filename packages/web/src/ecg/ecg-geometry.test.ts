import { describe, expect, it } from 'vitest';
import {
  CSS_PX_PER_MM,
  ecgPolylines,
  gridLines,
  pruneChunks,
  visibleDurationMs,
  type EcgPaper,
} from './ecg-geometry.js';

// 4 px per mm keeps the arithmetic readable: 25 mm/s → 100 px/s, 10 mm/mV → 40 px/mV.
const paper: EcgPaper = { pxPerMm: 4, speedMmPerS: 25, gainMmPerMv: 10 };

describe('ecg geometry', () => {
  it('uses 96 CSS px per inch for the default millimetre', () => {
    expect(CSS_PX_PER_MM).toBeCloseTo(3.7795, 4);
  });

  it('shows 10 s of paper on a 250 mm strip at 25 mm/s', () => {
    expect(visibleDurationMs(1000, paper)).toBeCloseTo(10_000, 6);
  });

  it('draws a major line every 5 mm and minor lines between', () => {
    const g = gridLines(40, 40, paper); // 10 mm × 10 mm
    expect(g.majorX).toEqual([0, 20, 40]);
    expect(g.minorX).toEqual([4, 8, 12, 16, 24, 28, 32, 36]);
    expect(g.majorY).toEqual([0, 20, 40]); // baseline at 20 px is a major line
    expect(g.minorY).toHaveLength(8);
  });

  it('scrolls vertical grid lines with the paper time', () => {
    // 100 ms of paper is 2.5 mm: the first whole millimetre (3) is 0.5 mm = 2 px from the edge.
    const g = gridLines(40, 40, paper, 100);
    expect(g.minorX[0]).toBeCloseTo(2, 9);
    expect(g.majorX[0]).toBeCloseTo(10, 9); // mm 5
  });

  it('places 1 mV at 10 mm above the baseline and 1 s at 25 mm', () => {
    const lines = ecgPolylines([{ startMs: 0, fsHz: 1, samplesMv: [0, 1] }], {
      widthPx: 400,
      heightPx: 100,
      nowMs: 1000,
      paper,
    });
    expect(lines).toHaveLength(1);
    expect(Array.from(lines[0] ?? [])).toEqual([300, 50, 400, 10]);
  });

  it('keeps a missing packet as a gap instead of joining across it', () => {
    const a = { startMs: 0, fsHz: 250, samplesMv: new Float32Array(250) };
    const b = { startMs: 2000, fsHz: 250, samplesMv: new Float32Array(250) };
    const lines = ecgPolylines([b, a], { widthPx: 1000, heightPx: 100, nowMs: 3000, paper });
    expect(lines).toHaveLength(2);
    // The first line ends at 996 ms (x = 1000 - 2004 ms × 0.1 px/ms), the second starts at 2000 ms.
    const first = lines[0] ?? new Float32Array();
    expect(first[first.length - 2]).toBeCloseTo(1000 - (3000 - 996) * 0.1, 3);
    expect(lines[1]?.[0]).toBeCloseTo(900, 3);
  });

  it('joins back-to-back packets into one line', () => {
    const a = { startMs: 0, fsHz: 250, samplesMv: new Float32Array(250) };
    const b = { startMs: 1000, fsHz: 250, samplesMv: new Float32Array(250) };
    expect(ecgPolylines([a, b], { widthPx: 1000, heightPx: 100, nowMs: 2000, paper })).toHaveLength(
      1,
    );
  });

  it('breaks the line at NaN samples (lead off)', () => {
    const lines = ecgPolylines(
      [{ startMs: 0, fsHz: 10, samplesMv: [0, 0.1, Number.NaN, Number.NaN, 0.2, 0.3] }],
      { widthPx: 1000, heightPx: 100, nowMs: 1000, paper },
    );
    expect(lines).toHaveLength(2);
  });

  it('draws only what lies inside the window', () => {
    const lines = ecgPolylines([{ startMs: 0, fsHz: 10, samplesMv: new Array(100).fill(0) }], {
      widthPx: 100, // 1 s of paper
      heightPx: 10,
      nowMs: 5000,
      paper,
    });
    const xs = Array.from(lines[0] ?? []).filter((_, i) => i % 2 === 0);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-10);
    expect(Math.max(...xs)).toBeLessThanOrEqual(110);
  });

  it('prunes chunks that ended before the window', () => {
    const old = { startMs: 0, fsHz: 250, samplesMv: new Float32Array(250) };
    const recent = { startMs: 5000, fsHz: 250, samplesMv: new Float32Array(250) };
    expect(pruneChunks([old, recent], 3000)).toEqual([recent]);
  });

  it('rejects a paper with zero speed', () => {
    expect(() => visibleDurationMs(100, { ...paper, speedMmPerS: 0 })).toThrow(RangeError);
  });
});
