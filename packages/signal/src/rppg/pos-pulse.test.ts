import { describe, expect, it } from 'vitest';
import { designBandpass } from '../filters/design-bandpass.js';
import { filtfilt } from '../filters/filtfilt.js';
import { createRng } from '../synth/create-rng.js';
import { chromPulse } from './chrom-pulse.js';
import { posPulse } from './pos-pulse.js';
import { pulseSpectrum } from './pulse-spectrum.js';
import type { RgbSeries } from './rgb-series.js';

const FS = 20;
const N = 200;

/**
 * Skin colour whose pulse (0.3 % in green, blood-volume signature [0.33, 0.77, 0.53]) is at
 * `pulseHz`, under white light flickering 2 % at `flickerHz` (ten times stronger than the pulse
 * in green), with a little sensor noise.
 */
function skin(pulseHz: number, flickerHz: number, pulseAmplitude = 0.003): RgbSeries {
  const rng = createRng(11);
  const base = [180, 130, 105];
  const pbv = [0.33 / 0.77, 1, 0.53 / 0.77];
  const make = (c: number): Float64Array =>
    Float64Array.from({ length: N }, (_, i) => {
      const t = i / FS;
      const light = 1 + 0.02 * Math.sin(2 * Math.PI * flickerHz * t);
      const pulse = pulseAmplitude * Math.sin(2 * Math.PI * pulseHz * t);
      return (base[c] ?? 0) * light * (1 - (pbv[c] ?? 0) * pulse) + 0.05 * rng.normal();
    });
  return { r: make(0), g: make(1), b: make(2) };
}

const band = designBandpass({ lowHz: 0.7, highHz: 4, fs: FS });

describe('posPulse and chromPulse', () => {
  it('the green channel alone follows the in-band white flicker, not the pulse', () => {
    const rgb = skin(1.5, 1.2);
    expect(Math.abs(pulseSpectrum(filtfilt(rgb.g, band), FS).bpm - 72)).toBeLessThan(1);
  });

  it('POS cancels the white flicker and finds the 90 bpm pulse', () => {
    const pulse = filtfilt(posPulse(skin(1.5, 1.2), FS), band);
    const result = pulseSpectrum(pulse, FS);
    expect(Math.abs(result.bpm - 90)).toBeLessThan(1);
    expect(result.snrDb).toBeGreaterThan(5);
  });

  it('CHROM cancels the white flicker and finds the 90 bpm pulse', () => {
    const result = pulseSpectrum(chromPulse(skin(1.5, 1.2), FS), FS);
    expect(Math.abs(result.bpm - 90)).toBeLessThan(1);
    expect(result.snrDb).toBeGreaterThan(3);
  });

  it('POS finds a 48 bpm pulse near the bottom of the band and a 180 bpm one near the top', () => {
    for (const bpm of [48, 180]) {
      const result = pulseSpectrum(filtfilt(posPulse(skin(bpm / 60, 2.5), FS), band), FS);
      expect(Math.abs(result.bpm - bpm)).toBeLessThan(1.5);
    }
  });

  it('without a pulse, POS leaves only noise: a low SNR', () => {
    const pulse = filtfilt(posPulse(skin(1.5, 1.2, 0), FS), band);
    expect(pulseSpectrum(pulse, FS).snrDb).toBeLessThan(1);
  });

  it('rejects channels of different lengths and non-positive colours', () => {
    const rgb = skin(1.5, 1.2);
    expect(() => posPulse({ ...rgb, b: rgb.b.subarray(1) }, FS)).toThrow(/same length/);
    expect(() => posPulse({ ...rgb, r: new Float64Array(N) }, FS)).toThrow(/positive/);
    expect(() => chromPulse(rgb, -1)).toThrow(/fs/);
  });
});
