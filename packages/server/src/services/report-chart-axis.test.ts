import { describe, expect, it } from 'vitest';
import { REPORT_TREND_AXES } from './report-pdf.js';
import { trendAxisRange } from './report-chart-axis.js';

describe('trend chart y-axis range', () => {
  it('spans at least 20 bpm around a heart rate that moves by 1 bpm', () => {
    expect(trendAxisRange([72, 73, 72.5], REPORT_TREND_AXES.heartRate)).toEqual({
      lo: 62.5,
      hi: 82.5,
    });
  });

  it('keeps the data range when it is wider than the minimum span', () => {
    expect(trendAxisRange([55, 140, 80], REPORT_TREND_AXES.heartRate)).toEqual({
      lo: 55,
      hi: 140,
    });
  });

  it('centres a flat series in the minimum span', () => {
    expect(trendAxisRange([60, 60], REPORT_TREND_AXES.heartRate)).toEqual({ lo: 50, hi: 70 });
  });

  it('moves a widened SpO2 axis below 100 % instead of past it', () => {
    expect(trendAxisRange([98, 99], REPORT_TREND_AXES.spo2)).toEqual({ lo: 90, hi: 100 });
  });

  it('never goes below 0 bpm', () => {
    expect(trendAxisRange([3], REPORT_TREND_AXES.heartRate)).toEqual({ lo: 0, hi: 20 });
  });

  it('refuses no values or a non-finite one', () => {
    expect(() => trendAxisRange([])).toThrow(RangeError);
    expect(() => trendAxisRange([1, Number.NaN])).toThrow(RangeError);
  });
});
