import { describe, expect, it } from 'vitest';
import { createRng } from '../synth/create-rng.js';
import { computeAudioFrames } from './compute-audio-frames.js';

const fs = 8000;

/** A harmonic tone (fundamental plus 4 harmonics with 1/k amplitudes), 1 s. */
function harmonicTone(f0: number): Float32Array {
  return Float32Array.from({ length: fs }, (_, i) => {
    let v = 0;
    for (let k = 1; k <= 5; k++) v += Math.sin((2 * Math.PI * k * f0 * i) / fs) / k;
    return 0.2 * v;
  });
}

function median(values: Float32Array): number {
  const s = Array.from(values).sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

describe('computeAudioFrames', () => {
  it('frames 1 s at 8 kHz into 61 frames of 32 ms every 16 ms', () => {
    const f = computeAudioFrames(new Float32Array(fs), fs);
    expect(f.count).toBe(Math.floor((fs - 256) / 128) + 1);
    expect(f.logMelDb.length).toBe(f.count * 20);
  });

  it.each([120, 220, 400, 550, 800])('finds the fundamental of a %i Hz harmonic tone', (f0) => {
    const f = computeAudioFrames(harmonicTone(f0), fs);
    expect(median(f.f0Hz)).toBeCloseTo(f0, -0.5); // within ±1.6 Hz
    expect(Math.abs(median(f.f0Hz) - f0) / f0).toBeLessThan(0.01);
    expect(median(f.harmonicity)).toBeGreaterThan(0.9);
  });

  it('sees white noise as aperiodic and spectrally flat', () => {
    const rng = createRng(7);
    const x = Float32Array.from({ length: fs }, () => 0.1 * rng.normal());
    const f = computeAudioFrames(x, fs);
    expect(median(f.harmonicity)).toBeLessThan(0.5);
    expect(median(f.flatness)).toBeGreaterThan(0.4);
    expect(median(f.centroidHz)).toBeGreaterThan(1600);
    expect(median(f.centroidHz)).toBeLessThan(2300);
  });

  it('puts a 1 kHz sine in the mel band around 1 kHz and measures its level', () => {
    const x = Float32Array.from(
      { length: fs },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / fs),
    );
    const f = computeAudioFrames(x, fs);
    const row = Array.from(f.logMelDb.subarray(10 * f.nMel, 11 * f.nMel));
    const band = row.indexOf(Math.max(...row));
    // Mel edges 100–3800 Hz in 21 steps: the band centred nearest 1 kHz is the 9th (index 8).
    expect(band).toBe(8);
    expect(median(f.centroidHz)).toBeCloseTo(1000, -1);
    expect(median(f.highShare)).toBeLessThan(0.01);
  });

  it('rejects a sample rate below 4 kHz', () => {
    expect(() => computeAudioFrames(new Float32Array(100), 2000)).toThrow(/sampleRateHz/);
  });
});
