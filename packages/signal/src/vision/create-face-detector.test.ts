import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJpeg } from '../io/decode-jpeg.js';
import { createFaceVideoSynth } from '../rppg/synth/create-face-video-synth.js';
import { createFaceDetector, type FaceDetector } from './create-face-detector.js';

const face = decodeJpeg(
  readFileSync(new URL('../../assets/face-eileen-collins.jpg', import.meta.url)),
);
let detector: FaceDetector;
beforeAll(async () => {
  detector = await createFaceDetector();
});
afterAll(async () => {
  await detector.close();
});

describe('createFaceDetector (BlazeFace short range on onnxruntime-node)', () => {
  it('finds the one face of a 640 × 480 synthetic webcam frame, on the face inside the photograph', async () => {
    const frame = createFaceVideoSynth({ face, durationSeconds: 1 }).frame(0);
    const faces = await detector.detect(frame.pixels, 640, 480);
    expect(faces.length).toBe(1);
    const [f] = faces;
    if (f === undefined) throw new Error('no face');
    expect(f.score).toBeGreaterThan(0.8);
    // The face (brows to chin) sits in the middle of the portrait, below the hair.
    const cx = f.x + f.width / 2;
    const cy = f.y + f.height / 2;
    const box = frame.faceBox;
    expect(cx).toBeGreaterThan(box.x + 0.35 * box.width);
    expect(cx).toBeLessThan(box.x + 0.65 * box.width);
    expect(cy).toBeGreaterThan(box.y + 0.4 * box.height);
    expect(cy).toBeLessThan(box.y + 0.8 * box.height);
    expect(f.width).toBeGreaterThan(0.3 * box.width);
    expect(f.width).toBeLessThan(0.8 * box.width);
    // Key points: the right eye (subject's right, image left) is left of the left eye, the
    // mouth below the nose.
    const [rightEye, leftEye, nose, mouth] = f.keypoints;
    expect((rightEye?.[0] ?? 0) < (leftEye?.[0] ?? 0)).toBe(true);
    expect((mouth?.[1] ?? 0) > (nose?.[1] ?? 0)).toBe(true);
  });

  it('follows the face when it moves and reads RGBA frames the same', async () => {
    const synth = createFaceVideoSynth({
      face,
      width: 480,
      height: 360,
      motionPx: 40,
      motionHz: 0.25,
    });
    const a = synth.frame(0);
    const b = synth.frame(30);
    const [fa] = await detector.detect(a.pixels, 480, 360);
    const [fb] = await detector.detect(b.pixels, 480, 360);
    // Within 10 px (under 3 pixels of the 128 px network input) of the true 40 px shift.
    expect(b.faceBox.x - a.faceBox.x).toBe(40);
    expect(Math.abs((fb && fa ? fb.x - fa.x : NaN) - 40)).toBeLessThan(10);
    const rgba = new Uint8Array(480 * 360 * 4);
    for (let i = 0; i < 480 * 360; i++) {
      rgba[4 * i] = a.pixels[3 * i] ?? 0;
      rgba[4 * i + 1] = a.pixels[3 * i + 1] ?? 0;
      rgba[4 * i + 2] = a.pixels[3 * i + 2] ?? 0;
      rgba[4 * i + 3] = 255;
    }
    const [fr] = await detector.detect(rgba, 480, 360);
    expect(fr?.x).toBeCloseTo(fa?.x ?? NaN, 3);
  });

  it('finds no face in a frame without one', async () => {
    const frame = createFaceVideoSynth({
      face,
      width: 320,
      height: 240,
      faceHeightFraction: 0.65,
      durationSeconds: 1,
    }).frame(0);
    // Keep only the top rows (background and hair): no face remains.
    const blank = new Uint8Array(frame.pixels.length);
    for (let i = 0; i < blank.length; i += 3) {
      blank[i] = frame.pixels[i % (320 * 3 * 20)] ?? 0;
      blank[i + 1] = frame.pixels[(i % (320 * 3 * 20)) + 1] ?? 0;
      blank[i + 2] = frame.pixels[(i % (320 * 3 * 20)) + 2] ?? 0;
    }
    expect(await detector.detect(blank, 320, 240)).toEqual([]);
  });

  it('rejects a buffer that does not match the size', async () => {
    await expect(detector.detect(new Uint8Array(100), 640, 480)).rejects.toThrow(/RGB/);
  });
});
