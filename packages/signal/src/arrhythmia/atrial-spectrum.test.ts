import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { createRng } from '../synth/create-rng.js';
import { atrialSpectrum } from './atrial-spectrum.js';

const fs = 250;
const n = 10 * fs;
/** TQ-like spans: 600 ms of each 800-ms cycle (the QRS and T wave gated out). */
const spans: number[] = [];
for (let p = 50; p + 150 < n; p += 200) spans.push(p, p + 150);

describe('atrialSpectrum', () => {
  it('reads a 6 Hz atrial wave seen only between the QRS complexes as 6 Hz, concentrated', () => {
    const x = Float64Array.from(
      { length: n },
      (_, t) => 0.1 * Math.sin((2 * Math.PI * 6 * t) / fs),
    );
    const r = atrialSpectrum(x, spans, { fs });
    expect(r?.dominantFrequencyHz).toBe(6);
    // Gating at the 1.25-Hz cycle puts sidebands at 6 ± 1.25 Hz (outside ± 1 Hz): most of the
    // power stays at 6 Hz, far above white noise's (9 of 37 frequencies, about 0.24).
    expect(r?.concentration ?? 0).toBeGreaterThan(0.7);
    expect(r?.measuredSamples).toBe(150 * (spans.length / 2));
  });

  it('finds a 4.5 Hz flutter wave under a baseline offset and drift in each span', () => {
    const x = Float64Array.from(
      { length: n },
      (_, t) => 0.08 * Math.sin((2 * Math.PI * 4.5 * t) / fs + 1) + 0.3 + 0.0004 * t,
    );
    const r = atrialSpectrum(x, spans, { fs });
    expect(r?.dominantFrequencyHz).toBe(4.5);
    expect(r?.concentration ?? 0).toBeGreaterThan(0.7);
  });

  it('gives white noise (no atrial activity) a low concentration', () => {
    const rng = createRng(3);
    const x = Float64Array.from({ length: n }, () => rng.uniform() - 0.5);
    const r = atrialSpectrum(x, spans, { fs });
    expect(r).not.toBeNull();
    expect(r?.concentration ?? 1).toBeLessThan(0.4);
  });

  it('pre-whitened, reads a 6 Hz f wave over a slope piled up at the low edge; the slope alone, low', () => {
    // A 1/f² background from 1 Hz up (the T-wave and P-wave mismatch of a non-AF residual): its
    // power piles up at the band's 3-Hz edge and, unwhitened, reads as concentrated there.
    const slope = (seed: number): Float64Array => {
      const rng = createRng(seed);
      const parts = Array.from({ length: 60 }, (_, k) => ({
        hz: 1 + k * 0.25,
        phase: 2 * Math.PI * rng.uniform(),
      }));
      return Float64Array.from({ length: n }, (_, t) =>
        parts.reduce(
          (a, c) => a + Math.sin((2 * Math.PI * c.hz * t) / fs + c.phase) / c.hz ** 2,
          0,
        ),
      );
    };
    for (const seed of [1, 2, 3]) {
      const bg = slope(seed).map((v) => v / 10);
      const plain = atrialSpectrum(bg, spans, { fs });
      expect(plain?.dominantFrequencyHz ?? 99).toBeLessThanOrEqual(4);
      expect(plain?.concentration ?? 0).toBeGreaterThan(0.55);
      const white = atrialSpectrum(bg, spans, { fs, whiten: true });
      expect(white?.concentration ?? 1).toBeLessThan(0.35);
      const af = bg.map((v, t) => v + 0.05 * Math.sin((2 * Math.PI * 6 * t) / fs));
      const r = atrialSpectrum(af, spans, { fs, whiten: true });
      expect(r?.dominantFrequencyHz).toBe(6);
      expect(r?.concentration ?? 0).toBeGreaterThan(0.45);
      // The 4 – 9 Hz band, whitened: the same.
      const band = atrialSpectrum(af, spans, { fs, whiten: true, bandLowHz: 4, bandHighHz: 9 });
      expect(band?.dominantFrequencyHz).toBe(6);
      expect(band?.concentration ?? 0).toBeGreaterThan(0.55);
    }
  });

  it('returns null when no span has 4 samples', () => {
    expect(atrialSpectrum(new Float64Array(100), [10, 13, 20, 22], { fs })).toBeNull();
    expect(atrialSpectrum(new Float64Array(100), [], { fs })).toBeNull();
  });

  it('rejects a missing rate, a band above fs / 2 and spans that are not increasing pairs', () => {
    const x = new Float64Array(100);
    expect(() => atrialSpectrum(x, [0, 50], { fs: 0 })).toThrow(SignalInputError);
    expect(() => atrialSpectrum(x, [0, 50], { fs, bandHighHz: 200 })).toThrow(/bandHighHz/);
    expect(() => atrialSpectrum(x, [0, 50, 40], { fs })).toThrow(/pairs/);
    expect(() => atrialSpectrum(x, [30, 50, 40, 60], { fs })).toThrow(/increasing/);
    expect(() => atrialSpectrum(x, [0, 150], { fs })).toThrow(/within the signal/);
  });
});
