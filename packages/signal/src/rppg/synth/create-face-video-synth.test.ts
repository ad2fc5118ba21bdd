import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJpeg } from '../../io/decode-jpeg.js';
import { meanSkinRgb } from '../mean-skin-rgb.js';
import { createFaceVideoSynth } from './create-face-video-synth.js';

const face = decodeJpeg(
  readFileSync(new URL('../../../assets/face-eileen-collins.jpg', import.meta.url)),
);

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += ((a[i] ?? 0) - ma) * ((b[i] ?? 0) - mb);
    saa += ((a[i] ?? 0) - ma) ** 2;
    sbb += ((b[i] ?? 0) - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('createFaceVideoSynth', () => {
  it('darkens the skin green in step with the PPG waveform', () => {
    const synth = createFaceVideoSynth({
      face,
      width: 160,
      height: 120,
      durationSeconds: 4,
      noiseSd: 0,
      pulseAmplitude: 0.02,
    });
    const green: number[] = [];
    const ppg: number[] = [];
    for (let i = 0; i < synth.frameCount; i++) {
      const f = synth.frame(i);
      green.push(meanSkinRgb(f, f.faceBox).g);
      ppg.push(f.ppg);
    }
    expect(correlation(green, ppg)).toBeLessThan(-0.95);
  });

  it('keeps its pulse rate near the requested mean and is reproducible from its seed', () => {
    const a = createFaceVideoSynth({
      face,
      width: 64,
      height: 48,
      durationSeconds: 30,
      bpm: 90,
      seed: 3,
    });
    const b = createFaceVideoSynth({
      face,
      width: 64,
      height: 48,
      durationSeconds: 30,
      bpm: 90,
      seed: 3,
    });
    expect(Math.abs(a.meanBpm - 90)).toBeLessThan(2);
    expect(a.frameCount).toBe(900);
    expect(a.frame(123).pixels).toEqual(b.frame(123).pixels);
  });

  it('moves the face by the requested head motion', () => {
    const synth = createFaceVideoSynth({
      face,
      width: 320,
      height: 240,
      motionPx: 20,
      motionHz: 0.5,
    });
    const xs = Array.from({ length: 60 }, (_, i) => synth.frame(i).faceBox.x);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThanOrEqual(38);
  });

  it('rejects an impossible rate', () => {
    expect(() => createFaceVideoSynth({ face, bpm: 500 })).toThrow(/bpm/);
  });
});
