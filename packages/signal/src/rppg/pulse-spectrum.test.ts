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

  it('does not count a component at twice the peak as its harmonic when it is about as strong', () => {
    // A slow component at 57 bpm with the pulse at 114 bpm at 0.81 of its power: crediting the
    // 114 bpm power to 57 bpm gave 13.1 dB; without it the 57 bpm peak has 0.1 dB.
    const slow = sine(0.95, 20, 200);
    const pulse = sine(1.9, 20, 200, 1.1);
    const mixed = slow.map((v, i) => v + 0.9 * (pulse[i] ?? 0));
    const result = pulseSpectrum(mixed, 20);
    expect(Math.abs(result.bpm - 57)).toBeLessThan(0.5);
    expect(result.harmonicPowerRatio).toBeCloseTo(0.81, 1);
    expect(result.harmonicCredited).toBe(false);
    expect(result.snrDb).toBeLessThan(1);
    // The plain de Haan & Jeanne SNR, for comparison.
    expect(pulseSpectrum(mixed, 20, { maxHarmonicPowerRatio: Infinity }).snrDb).toBeGreaterThan(10);
  });

  it('still credits a weak harmonic: a pulse with its 2nd harmonic at 0.15 of the power keeps the harmonic in the SNR', () => {
    const pulse = sine(1.2, 20, 200);
    const harmonic = sine(2.4, 20, 200, 0.9);
    const x = pulse.map((v, i) => v + Math.sqrt(0.15) * (harmonic[i] ?? 0));
    const result = pulseSpectrum(x, 20);
    expect(Math.abs(result.bpm - 72)).toBeLessThan(0.5);
    expect(result.harmonicCredited).toBe(true);
    expect(result.harmonicPowerRatio).toBeCloseTo(0.15, 1);
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
    // A contact PPG's harmonic is well below its fundamental, so it stays credited.
    expect(result.harmonicPowerRatio).toBeLessThan(0.2);
    expect(result.harmonicCredited).toBe(true);
  });

  it('lists the local maxima of the band largest first with their power relative to the largest', () => {
    // Sines at 60, 100 and 150 bpm with amplitudes 1, 0.7 and 0.4: powers 1, 0.49 and 0.16.
    const a = sine(1, 20, 200);
    const b = sine(100 / 60, 20, 200, 1.3);
    const c = sine(2.5, 20, 200, 2.1);
    const x = a.map((v, i) => v + 0.7 * (b[i] ?? 0) + 0.4 * (c[i] ?? 0));
    const result = pulseSpectrum(x, 20);
    expect(result.peaks.map((p) => Math.round(p.bpm))).toEqual([60, 100, 150]);
    expect(result.peaks[0]?.relativePower).toBe(1);
    expect(result.peaks[1]?.relativePower).toBeCloseTo(0.49, 1);
    expect(result.peaks[2]?.relativePower).toBeCloseTo(0.16, 1);
    expect(result.peaks[0]?.bpm).toBe(result.bpm);
    expect(pulseSpectrum(x, 20, { maxPeaks: 1 }).peaks).toHaveLength(1);
  });

  it('does not list a side lobe of the largest peak as a second candidate', () => {
    const result = pulseSpectrum(sine(1.3, 20, 200), 20);
    // A lone sine: whatever else is listed is a Hann side lobe, more than 0.2 Hz away and weak.
    for (const p of result.peaks.slice(1)) {
      expect(Math.abs(p.bpm - 78)).toBeGreaterThan(12);
      expect(p.relativePower).toBeLessThan(0.01);
    }
  });

  it('rejects too short input and a bad rate', () => {
    expect(() => pulseSpectrum(new Float64Array(100), 20, { maxPeaks: 0 })).toThrow(/maxPeaks/);
    expect(() => pulseSpectrum(new Float64Array(4), 20)).toThrow(SignalInputError);
    expect(() => pulseSpectrum(new Float64Array(100), 0)).toThrow(/fs/);
    expect(() => pulseSpectrum(new Float64Array(100), 20, { maxHarmonicPowerRatio: 0 })).toThrow(
      /maxHarmonicPowerRatio/,
    );
  });
});
