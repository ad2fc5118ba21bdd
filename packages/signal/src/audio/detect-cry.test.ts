import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resample } from '../filters/resample.js';
import { detectCry } from './detect-cry.js';
import { loadCryModel } from './load-cry-model.js';

// Pure tests: the clips are committed as raw PCM, so neither ffmpeg nor ../shared is needed.
// Both clips come from sources in the held-out test split of `npm run train:cry`.
const fs = 8000;
const pcm = (name: string): Float32Array => {
  const b = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  return Float32Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(2 * i) / 32768);
};

describe('detectCry', () => {
  it('calls the held-out donateacry cry crying, with one probability per second', () => {
    const r = detectCry(pcm('cry-donateacry-4s.s16le'), fs);
    expect(r.perSecond).toHaveLength(4);
    expect(r.probability).toBeGreaterThan(0.5);
    for (const p of r.perSecond) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('calls held-out synthetic Hindi speech not crying', () => {
    expect(detectCry(pcm('speech-espeak-hi-4s.s16le'), fs).probability).toBeLessThan(0.5);
  });

  it('gives about the same answer for the clip at 16 kHz (resampled internally)', () => {
    const x = pcm('cry-donateacry-4s.s16le');
    const at8 = detectCry(x, fs);
    const at16 = detectCry(Float32Array.from(resample(x, fs, 16000)), 16000);
    expect(at16.perSecond).toHaveLength(4);
    expect(Math.abs(at16.probability - at8.probability)).toBeLessThan(0.1);
  });

  it('ignores recording gain', () => {
    const x = pcm('cry-donateacry-4s.s16le');
    const quiet = detectCry(
      x.map((v) => v * 0.05),
      fs,
    ).probability;
    expect(quiet).toBeCloseTo(detectCry(x, fs).probability, 3);
  });

  it('gives 0 for seconds with no sound at all (a muted microphone), not the 0.18 of a constant', () => {
    expect(detectCry(new Float32Array(5 * fs), fs)).toEqual({
      probability: 0,
      perSecond: [0, 0, 0, 0, 0],
    });
    // A DC offset is no sound either; the cry's seconds keep their scores beside 2 s of silence.
    expect(detectCry(new Float32Array(2 * fs).fill(0.25), fs).probability).toBe(0);
    const cry = pcm('cry-donateacry-4s.s16le');
    const padded = new Float32Array(cry.length + 4 * fs);
    padded.set(cry);
    const r = detectCry(padded, fs);
    expect(r.perSecond.slice(-2)).toEqual([0, 0]);
    expect(r.perSecond[0]).toBeCloseTo(detectCry(cry, fs).perSecond[0] ?? -1, 6);
  });

  it('uses the shipped model, whose card figures come from its training run', () => {
    const model = loadCryModel();
    expect(model.sampleRateHz).toBe(8000);
    expect(model.featureNames.length).toBe(model.mean.length);
    expect(model.training.command).toMatch(/^npm run train:cry/);
  });

  it('rejects empty, non-finite and too-short input and a bad sample rate', () => {
    expect(() => detectCry(new Float32Array(0), fs)).toThrow(/empty/);
    expect(() => detectCry(Float32Array.of(0, NaN, 0), fs)).toThrow(/finite/);
    expect(() => detectCry(new Float32Array(100), fs)).toThrow(/at least 256 samples/);
    expect(() => detectCry(new Float32Array(8000), 100)).toThrow(/sampleRateHz/);
  });
});
