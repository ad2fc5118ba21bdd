import { createEcgAnalyzer } from '@vigil/signal';
import { describe, expect, it } from 'vitest';
import { loadMitdb101 } from '../../test/fixtures/mitdb-101.js';
import { createInProcessAnalysis, type ArrhythmiaMonitorLike } from './ecg-analysis.adapter.js';

// 60 s of MIT-BIH record 101 (MLII) at 250 Hz (test/fixtures/NOTICE for the licence).
const { ecgMv } = loadMitdb101();
const FS = 250;

describe('in-process ECG analysis', () => {
  it('counts the beats the arrhythmia monitor classified VEB and SVEB in each packet', async () => {
    // A monitor that classifies, per push, 2 VEB, 1 SVEB, 1 N and 1 F beat (burden 40 % / 20 %).
    const monitor = (): ArrhythmiaMonitorLike => ({
      push: () => ({
        beats: [
          { sample: 10, class: 'VEB' },
          { sample: 20, class: 'N' },
          { sample: 30, class: 'VEB' },
          { sample: 40, class: 'SVEB' },
          { sample: 50, class: 'F' },
        ],
        episodes: [],
        burden: { vebPerHour: 0, svebPerHour: 0, vebPercent: 40, svebPercent: 20 },
        withheld: null,
      }),
    });
    const port = createInProcessAnalysis({ createEcgAnalyzer, createArrhythmiaMonitor: monitor });
    const a = await port.analyse({
      deviceId: 'dev',
      fs: FS,
      startMs: 0,
      restart: true,
      chunkMv: ecgMv.subarray(0, FS),
    });
    await port.close();
    expect(a.arrhythmia).toMatchObject({
      vebBeats: 2,
      svebBeats: 1,
      vebPercent: 40,
      svebPercent: 20,
    });
  });

  it('places the longest RR at its first beat, in the stream time of the packets', async () => {
    // An analyzer that reports beats at 8 s (RR 0.8 s), 12 s (after a 4 s pause) and 12.8 s.
    const T = Date.UTC(2026, 11, 7, 6, 0, 0);
    const analyzer = () => ({
      push: () => ({
        fs: FS,
        samplesSeen: 14 * FS,
        beats: [
          { sample: 8 * FS, rrMs: 800, qrsMs: 90 },
          { sample: 12 * FS, rrMs: 4000, qrsMs: 90 },
          { sample: 12.8 * FS, rrMs: 800, qrsMs: 90 },
        ],
        heartRateBpm: null,
        qrsDurationMs: null,
        hrv: null,
        quality: { analysable: true, score: 1, reasons: [] },
      }),
    });
    const port = createInProcessAnalysis({ createEcgAnalyzer: analyzer });
    const a = await port.analyse({
      deviceId: 'dev',
      fs: FS,
      startMs: T,
      restart: true,
      chunkMv: ecgMv.subarray(0, FS),
    });
    await port.close();
    expect(a.longestRrMs).toBe(4000);
    expect(a.longestRrAtMs).toBe(T + 8000);
  });
});
