import { describe, expect, it } from 'vitest';
import {
  VENTRICULAR_PROBE_KINDS,
  sinusArrhythmiaProbe,
  ventricularEctopyProbe,
} from './retimed-probe.js';

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

describe('ventricularEctopyProbe', () => {
  /** The source with every fifth beat a VEB (label 2) instead of an SVEB. */
  function vebSource(): { ecg: Float64Array; peaks: number[]; labels: number[] } {
    const s = source();
    return { ...s, labels: s.labels.map((l) => (l === 1 ? 2 : 0)) };
  }

  it("gives 5 min of sinus rhythm with VEBs at each kind's share, the same for the same record", () => {
    const { ecg, peaks, labels } = vebSource();
    const expected = [0.1, 0.2, 1 / 3, 0.5];
    VENTRICULAR_PROBE_KINDS.forEach((kind, i) => {
      const a = ventricularEctopyProbe(ecg, FS, peaks, labels, kind, 'rec');
      const b = ventricularEctopyProbe(ecg, FS, peaks, labels, kind, 'rec');
      if (a === null || b === null) throw new Error('no probe');
      expect(b.peaks).toEqual(a.peaks);
      const spanS = ((a.peaks[a.peaks.length - 1] ?? 0) - (a.peaks[0] ?? 0)) / FS;
      expect(spanS).toBeGreaterThan(296);
      expect(spanS).toBeLessThan(300);
      const share = a.labels.reduce((s, l) => s + (l === 2 ? 1 : 0), 0) / a.labels.length;
      // Some 375 beats at the source's 0.8-s cycle: random shares within 0.06 (3 standard
      // errors at 20 %), patterned ones exact but for the last beat.
      expect(Math.abs(share - (expected[i] ?? 0))).toBeLessThan(
        kind.pattern === 'random' ? 0.06 : 0.01,
      );
      // The sinus cycle is the source's: the sinus beats around a VEB are 1.6 s (± 5 %) apart.
      for (let k = 1; k + 1 < a.peaks.length; k++) {
        if (a.labels[k] !== 2) continue;
        const around = ((a.peaks[k + 1] ?? 0) - (a.peaks[k - 1] ?? 0)) / FS;
        expect(around).toBeGreaterThanOrEqual(1.52 - 0.008);
        expect(around).toBeLessThanOrEqual(1.68 + 0.008);
      }
    });
  });

  it('is null for a record with fewer than 5 VEBs', () => {
    const { ecg, peaks, labels } = source();
    const kind = VENTRICULAR_PROBE_KINDS[0];
    if (kind === undefined) throw new Error('no kind');
    // The source's premature beats are SVEBs (label 1): no VEB to copy.
    expect(ventricularEctopyProbe(ecg, FS, peaks, labels, kind, 'rec')).toBeNull();
  });
});
