import { describe, expect, it } from 'vitest';
import { createRealFft } from './create-real-fft.js';

describe('createRealFft', () => {
  it('puts a sine that completes k cycles in the frame into bin k with power (N/2)²', () => {
    const n = 256;
    const fft = createRealFft(n);
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 10 * i) / n));
    const p = fft.power(x, new Float64Array(n / 2 + 1));
    expect(p[10]).toBeCloseTo((n / 2) ** 2, 6);
    let rest = 0;
    p.forEach((v, k) => {
      if (k !== 10) rest += v;
    });
    expect(rest).toBeLessThan(1e-12 * (n / 2) ** 2);
  });

  it('keeps Parseval: the spectrum holds N times the frame energy', () => {
    const n = 64;
    const fft = createRealFft(n);
    const x = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7) + ((i * 37) % 11) / 11);
    const p = fft.power(x, new Float64Array(n / 2 + 1));
    let spectrum = (p[0] ?? 0) + (p[n / 2] ?? 0);
    for (let k = 1; k < n / 2; k++) spectrum += 2 * (p[k] ?? 0);
    let energy = 0;
    for (const v of x) energy += v * v;
    expect(spectrum / n).toBeCloseTo(energy, 9);
  });

  it('computes the same autocorrelation as the direct sum', () => {
    const fft = createRealFft(64);
    const x = Float64Array.from({ length: 32 }, (_, i) => Math.sin(i * 0.9) * (1 + i / 32));
    const r = fft.autocorrelation(x, new Float64Array(32));
    for (const lag of [0, 1, 5, 17, 31]) {
      let direct = 0;
      for (let i = 0; i + lag < 32; i++) direct += (x[i] ?? 0) * (x[i + lag] ?? 0);
      expect(r[lag]).toBeCloseTo(direct, 10);
    }
  });

  it('matches the direct DFT at every bin, sizes 2 to 512, frames zero-padded', () => {
    for (const n of [2, 4, 8, 64, 512]) {
      const fft = createRealFft(n);
      const length = Math.max(1, n - 3);
      const x = Float64Array.from({ length }, (_, i) => Math.sin(i * 1.3) + ((i * 7) % 5) / 5);
      const p = fft.power(x, new Float64Array(n / 2 + 1));
      for (let k = 0; k <= n / 2; k++) {
        let re = 0;
        let im = 0;
        for (let i = 0; i < length; i++) {
          re += (x[i] ?? 0) * Math.cos((2 * Math.PI * k * i) / n);
          im -= (x[i] ?? 0) * Math.sin((2 * Math.PI * k * i) / n);
        }
        expect(p[k]).toBeCloseTo(re * re + im * im, 8);
      }
    }
  });

  it('rejects a size that is not a power of two', () => {
    expect(() => createRealFft(100)).toThrow(/power of two/);
  });
});
