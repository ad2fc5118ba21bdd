import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { createRng } from '../synth/create-rng.js';
import { pulseSpectrum } from './pulse-spectrum.js';

function sine(hz: number, fs: number, n: number, phase = 0.3): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(2 * Math.PI * hz * (i / fs) + phase));
}

describe('pulseSpectrum', () => {
  it('finds a 1.5 Hz sine at 90 bpm from 200 samples at 20 Hz, well inside the 6 bpm raw bin', () => {
    const result = pulseSpectrum(sine(1.5, 20, 200), 20);
    expect(result.bpm).toBeCloseTo(90, 0);
    expect(Math.abs(result.bpm - 90)).toBeLessThan(0.3);
    expect(result.resolutionHz).toBeLessThan(0.01);
  });

  it('resolves 71 and 73 bpm sines to within 0.5 bpm each', () => {
    expect(Math.abs(pulseSpectrum(sine(71 / 60, 20, 200), 20).bpm - 71)).toBeLessThan(0.5);
    expect(Math.abs(pulseSpectrum(sine(73 / 60, 20, 200), 20).bpm - 73)).toBeLessThan(0.5);
  });

  it('ignores a stronger component outside the 0.7–4 Hz band', () => {
    const x = sine(1.2, 30, 300);
    const drift = sine(0.2, 30, 300);
    const fast = sine(6, 30, 300);
    const mixed = x.map((v, i) => v + 3 * (drift[i] ?? 0) + 3 * (fast[i] ?? 0));
    expect(Math.abs(pulseSpectrum(mixed, 30).bpm - 72)).toBeLessThan(0.5);
  });

  it('gives a clean sine a high SNR and white noise a negative one', () => {
    expect(pulseSpectrum(sine(1.3, 20, 200), 20).snrDb).toBeGreaterThan(10);
    const rng = createRng(3);
    const noise = Float64Array.from({ length: 200 }, () => rng.normal());
    expect(pulseSpectrum(noise, 20).snrDb).toBeLessThan(0);
  });

  it('reads 60 bpm from a real reference PPG (vitallens sample_vitals_2, 30 fps)', () => {
    const text = readFileSync(
      new URL('./fixtures/vitallens-sample-vitals-2-ppg.csv', import.meta.url),
      'utf8',
    );
    const ppg = Float64Array.from(text.trim().split('\n').slice(1).map(Number));
    expect(ppg.length).toBe(630);
    const result = pulseSpectrum(ppg, 30);
    // The SOURCES periodogram gives 60.4 bpm for this recording.
    expect(Math.abs(result.bpm - 60.4)).toBeLessThan(1);
    expect(result.snrDb).toBeGreaterThan(3);
  });

  it('rejects too short input and a bad rate', () => {
    expect(() => pulseSpectrum(new Float64Array(4), 20)).toThrow(SignalInputError);
    expect(() => pulseSpectrum(new Float64Array(100), 0)).toThrow(/fs/);
  });
});
