import { describe, expect, it } from 'vitest';
import { sinusArrhythmiaProbe } from './retimed-probe.js';

const FS = 250;

/** 80 sinus beats every 0.8 s (1-mV spikes), with every fifth an SVEB 0.5 s after its predecessor. */
function source(): { ecg: Float64Array; peaks: number[]; labels: number[] } {
  const peaks: number[] = [];
  const labels: number[] = [];
  let t = FS;
  for (let k = 0; k < 80; k++) {
    const sveb = k % 5 === 4;
    t += Math.round((sveb ? 0.5 : 0.8) * FS);
    peaks.push(t);
    labels.push(sveb ? 1 : 0);
  }
  const ecg = new Float64Array(t + 2 * FS);
  for (const p of peaks) ecg[p] = 1;
  return { ecg, peaks, labels };
}

describe('sinusArrhythmiaProbe', () => {
  it('gives 5 min of sinus beats only, around the source sinus cycle, the same for the same record', () => {
    const { ecg, peaks, labels } = source();
    const a = sinusArrhythmiaProbe(ecg, FS, peaks, labels, 0.1, 'rec');
    const b = sinusArrhythmiaProbe(ecg, FS, peaks, labels, 0.1, 'rec');
    if (a === null || b === null) throw new Error('no probe');
    expect(b.peaks).toEqual(a.peaks);
    expect(a.labels.every((l) => l === 0)).toBe(true);
    const spanS = ((a.peaks[a.peaks.length - 1] ?? 0) - (a.peaks[0] ?? 0)) / FS;
    expect(spanS).toBeGreaterThan(297);
    expect(spanS).toBeLessThan(300);
    // Mean RR: the source's sinus cycle (0.8 s), the breath averaging out over 5 min.
    expect(spanS / (a.peaks.length - 1)).toBeCloseTo(0.8, 1);
  });

  it('draws another rhythm for another record name', () => {
    const { ecg, peaks, labels } = source();
    const a = sinusArrhythmiaProbe(ecg, FS, peaks, labels, 0.1, 'one');
    const b = sinusArrhythmiaProbe(ecg, FS, peaks, labels, 0.1, 'two');
    expect(b?.peaks).not.toEqual(a?.peaks);
  });
});
