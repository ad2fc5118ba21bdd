import { describe, expect, it } from 'vitest';
import {
  LAYOUT_LEADS,
  mmToPx,
  panelTraceMm,
  pxPerMmToFit,
  STANDARD_12_LEAD_PAPER,
  twelveLeadLayout,
} from './twelve-lead-layout.js';

describe('12-lead paper layout', () => {
  const layout = twelveLeadLayout(10);

  it('lays out I, aVR, V1, V4 / II, aVL, V2, V5 / III, aVF, V3, V6 with 2.5 s per column', () => {
    const byRow = [0, 1, 2].map((r) =>
      layout.panels
        .filter((p) => p.row === r)
        .sort((a, b) => a.col - b.col)
        .map((p) => p.lead),
    );
    expect(byRow).toEqual([
      ['I', 'aVR', 'V1', 'V4'],
      ['II', 'aVL', 'V2', 'V5'],
      ['III', 'aVF', 'V3', 'V6'],
    ]);
    expect(layout.panels.map((p) => p.startS)).toEqual([
      0, 2.5, 5, 7.5, 0, 2.5, 5, 7.5, 0, 2.5, 5, 7.5,
    ]);
    expect(new Set(layout.panels.map((p) => p.lead)).size).toBe(12);
    expect(LAYOUT_LEADS.flat()).toHaveLength(12);
  });

  it('makes each panel 62.5 mm (2.5 s × 25 mm/s) and the lead II rhythm strip 250 mm (10 s)', () => {
    const v4 = layout.panels.find((p) => p.lead === 'V4');
    expect(v4).toMatchObject({ xMm: 10 + 3 * 62.5, widthMm: 62.5, baselineMm: 15, durationS: 2.5 });
    expect(layout.rhythm).toMatchObject({
      lead: 'II',
      xMm: 10,
      widthMm: 250,
      baselineMm: 105,
      durationS: 10,
    });
    expect(layout.widthMm).toBe(260);
    expect(layout.heightMm).toBe(120);
  });

  it('draws a 1 mV × 200 ms calibration pulse: 10 mm high, 5 mm wide, in each row', () => {
    expect(layout.calibration).toHaveLength(4);
    const [row0] = layout.calibration;
    // baseline 15 mm; pulse from x 2.5 to 7.5 mm, top at 15 − 10 = 5 mm
    expect(row0).toEqual([0, 15, 2.5, 15, 2.5, 5, 7.5, 5, 7.5, 15, 10, 15]);
  });

  it('places samples at 25 mm/s and 10 mm/mV from the panel origin, upward positive', () => {
    const fs = 500;
    const samples = Float64Array.from({ length: 5000 }, (_, i) => (i === 1300 ? 1.2 : 0.1));
    const avr = layout.panels.find((p) => p.lead === 'aVR');
    if (!avr) throw new Error('no aVR');
    const trace = panelTraceMm(samples, fs, avr);
    // 2.5 s at 500 Hz = 1250 points, from sample 1250.
    expect(trace).toHaveLength(2 * 1250);
    expect(trace[0]).toBeCloseTo(72.5, 9); // 10 + 62.5 mm
    expect(trace[1]).toBeCloseTo(15 - 1, 9); // 0.1 mV → 1 mm above the 15 mm baseline
    // sample 1300 is 50 samples (0.1 s = 2.5 mm) into the panel, 1.2 mV = 12 mm up
    expect(trace[2 * 50]).toBeCloseTo(72.5 + 2.5, 9);
    expect(trace[2 * 50 + 1]).toBeCloseTo(3, 9);
    const rhythm = panelTraceMm(samples, fs, layout.rhythm);
    expect(rhythm).toHaveLength(2 * 5000);
    expect(rhythm.at(-2)).toBeCloseTo(10 + (4999 / 500) * 25, 9);
  });

  it('converts mm to px at the fitted scale (a 260 mm page in 1040 px is 4 px/mm)', () => {
    const k = pxPerMmToFit(1040, layout.widthMm);
    expect(k).toBe(4);
    expect(mmToPx(STANDARD_12_LEAD_PAPER.gainMmPerMv, k)).toBe(40); // 1 mV = 40 px
    expect(mmToPx(1, 96 / 25.4)).toBeCloseTo(3.7795, 4);
  });

  it('shortens the last column and the rhythm strip of a 6 s recording', () => {
    const short = twelveLeadLayout(6);
    expect(short.panels.filter((p) => p.row === 0).map((p) => p.durationS)).toEqual([
      2.5, 2.5, 1, 0,
    ]);
    expect(short.rhythm.widthMm).toBe(150);
    expect(() => twelveLeadLayout(0)).toThrow(RangeError);
  });
});
