import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeAudioFrames } from './compute-audio-frames.js';
import { CRY_FEATURE_NAMES, cryWindowFeatures } from './cry-window-features.js';

const fs = 8000;
const pcm = (name: string): Float32Array => {
  const b = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  return Float32Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(2 * i) / 32768);
};
const named = (f: Float64Array): Record<string, number> =>
  Object.fromEntries(CRY_FEATURE_NAMES.map((n, i) => [n, f[i] ?? NaN]));

describe('cryWindowFeatures', () => {
  it('returns one finite value per feature name', () => {
    const frames = computeAudioFrames(pcm('cry-donateacry-4s.s16le'), fs);
    const f = cryWindowFeatures(frames, 0, 125);
    expect(f.length).toBe(CRY_FEATURE_NAMES.length);
    for (const v of f) expect(Number.isFinite(v)).toBe(true);
  });

  it('does not depend on recording gain (the same clip 20 dB quieter)', () => {
    const x = pcm('cry-donateacry-4s.s16le');
    const quiet = x.map((v) => v / 10);
    const a = cryWindowFeatures(computeAudioFrames(x, fs), 30, 155);
    const b = cryWindowFeatures(computeAudioFrames(quiet, fs), 30, 155);
    a.forEach((v, i) => {
      expect(b[i]).toBeCloseTo(v, 4);
    });
  });

  it('places a steady 450 Hz harmonic tone in the cry F0 band with one long voiced run', () => {
    const x = Float32Array.from({ length: 2 * fs }, (_, i) => {
      let v = 0;
      for (let k = 1; k <= 4; k++) v += Math.sin((2 * Math.PI * k * 450 * i) / fs) / k;
      return 0.2 * v;
    });
    const frames = computeAudioFrames(x, fs);
    const f = named(cryWindowFeatures(frames, 0, frames.count));
    expect(f.voicedShare).toBe(1);
    expect(f.f0CryBandShare).toBe(1);
    expect(f.f0MedianOct).toBeCloseTo(Math.log2(450 / 440), 2);
    expect(f.voicedRunMaxS).toBeCloseTo((frames.count * 128) / fs, 6);
    expect(f.f0StepSemitones).toBeLessThan(0.05);
  });

  it('describes the adult speech fixture as voiced mostly below 250 Hz', () => {
    const frames = computeAudioFrames(pcm('speech-espeak-hi-4s.s16le'), fs);
    const f = named(cryWindowFeatures(frames, 0, frames.count));
    expect(f.f0LowShare).toBeGreaterThan(0.6);
    expect(f.f0CryBandShare).toBeLessThan(0.4);
  });

  it('rejects an empty frame range', () => {
    const frames = computeAudioFrames(new Float32Array(fs), fs);
    expect(() => cryWindowFeatures(frames, 10, 10)).toThrow(/at least one frame/);
  });
});
