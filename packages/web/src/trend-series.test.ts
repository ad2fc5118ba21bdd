import { describe, expect, it } from 'vitest';
import type { Prediction, Series } from './api/types.js';
import { hrvPoints, hrvTitle, seriesPath, seriesPoints, trendCaption } from './trend-series.js';

const agg = (avg: number | null) => ({ min: avg, avg, max: avg, count: avg === null ? 0 : 1 });

describe('trend series', () => {
  it('keeps an empty bucket as null so the chart shows a break', () => {
    const series: Series = {
      device_id: 'd',
      interval: '1m',
      from: 0,
      to: 120_000,
      buckets: [
        {
          time: 0,
          packets: 1,
          heart_rate_bpm: agg(70),
          spo2_percent: agg(98),
          temperature_c: agg(null),
        },
        {
          time: 60_000,
          packets: 0,
          heart_rate_bpm: agg(null),
          spo2_percent: agg(null),
          temperature_c: agg(null),
        },
      ],
    };
    expect(seriesPoints(series, 'heart_rate_bpm')).toEqual([
      { t: 0, min: 70, avg: 70, max: 70 },
      { t: 60_000, min: null, avg: null, max: null },
    ]);
  });

  it('bins RMSSD of predictions by interval with min, mean and max', () => {
    const p = (timestamp: number, rmssd: number | null) =>
      ({
        timestamp,
        hrv:
          rmssd === null
            ? null
            : {
                window_ms: 300_000,
                n_beats: 300,
                mean_nn_ms: 800,
                sdnn_ms: 40,
                rmssd_ms: rmssd,
                pnn50: 0.1,
              },
      }) as Prediction;
    const points = hrvPoints([p(61_000, 30), p(0, 20), p(1000, 40), p(2000, null)], 60_000);
    expect(points).toEqual([
      { t: 0, min: 20, avg: 30, max: 40 },
      { t: 60_000, min: 30, avg: 30, max: 30 },
    ]);
  });

  it("captions the newest reading as last, not the newest minute's lower mean", () => {
    // The reported case: the newest minute's mean is 36.2 °C, its newest reading 38.9 °C.
    const minute = { t: 0, min: 35.5, avg: 36.2, max: 38.9 };
    expect(trendCaption([minute], { reading: 38.9 }, '°C')).toBe('last 38.9\u202f°C');
    expect(trendCaption([minute], { reading: null }, '°C')).toBe('no reading');
  });

  it('names a bucket mean as a mean of that bucket when the newest reading is not at hand', () => {
    const points = [
      { t: 0, min: 70, avg: 72, max: 75 },
      { t: 60_000, min: null, avg: null, max: null },
    ];
    expect(trendCaption(points, { bucket: '1-min' }, 'bpm')).toBe(
      'latest 1-min mean 72.0\u202fbpm',
    );
    expect(trendCaption([], { bucket: '1-min' }, 'bpm')).toBe('no data in range');
  });

  it("asks hour and day buckets in the browser's time zone, minute buckets without one", () => {
    const window = { from: 1_000, to: 2_000 };
    expect(seriesPath('ECG 1', { interval: '1h', ...window }, 'Europe/Paris')).toBe(
      '/api/v1/vitals/ECG%201/series?interval=1h&from=1000&to=2000&tz=Europe%2FParis',
    );
    expect(seriesPath('d', { interval: '1d', ...window }, 'Asia/Kolkata')).toBe(
      '/api/v1/vitals/d/series?interval=1d&from=1000&to=2000&tz=Asia%2FKolkata',
    );
    expect(seriesPath('d', { interval: '5m', ...window }, 'Europe/Paris')).toBe(
      '/api/v1/vitals/d/series?interval=5m&from=1000&to=2000',
    );
    // A browser that reports no zone: the server's UTC buckets.
    expect(seriesPath('d', { interval: '1h', ...window }, undefined)).toBe(
      '/api/v1/vitals/d/series?interval=1h&from=1000&to=2000',
    );
  });

  it('says how far back the HRV curve goes when the prediction pages ran out before the range', () => {
    const day = { fromMs: 0, toMs: 86_400_000 };
    // Every prediction of the range was read: a plain title.
    expect(hrvTitle(day, null)).toBe('HRV (RMSSD)');
    expect(hrvTitle(day, 0)).toBe('HRV (RMSSD)');
    // 4,000 predictions of a 1 s device reach back 66.7 min of the 24 h.
    expect(hrvTitle(day, 86_400_000 - 4_000_000)).toBe('HRV (RMSSD), last 67 min only');
    expect(hrvTitle(day, 86_400_000 - 3 * 3_600_000)).toBe('HRV (RMSSD), last 3.0 h only');
  });
});
