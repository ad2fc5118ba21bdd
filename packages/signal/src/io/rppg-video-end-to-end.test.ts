import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRppgEstimator, type RppgEstimate } from '../rppg/create-rppg-estimator.js';
import { createFaceVideoSynth } from '../rppg/synth/create-face-video-synth.js';
import { createFaceDetector, type FaceDetector } from '../vision/create-face-detector.js';
import { decodeVideoFrames } from './decode-video-frames.js';
import { loadSynthFace } from './load-synth-face.js';
import { writeSynthVideo } from './write-synth-video.js';

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let dir = '';
let detector: FaceDetector;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rppg-e2e-'));
  detector = await createFaceDetector();
});
afterAll(async () => {
  await detector.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasFfmpeg())(
  'camera heart rate end to end (y4m file → ffmpeg → BlazeFace → POS)',
  () => {
    it('reads 90 bpm within 3 bpm from a synthetic face video file decoded by ffmpeg', async () => {
      const face = await loadSynthFace();
      const synth = createFaceVideoSynth({
        face,
        width: 320,
        height: 240,
        fps: 15,
        durationSeconds: 13,
        bpm: 90,
        bpmWanderSd: 0,
        seed: 2,
      });
      const path = join(dir, 'face-90.y4m');
      await writeSynthVideo(synth, path);
      const estimator = createRppgEstimator();
      let last: RppgEstimate | null = null;
      let missed = 0;
      for await (const frame of decodeVideoFrames(path)) {
        const [box] = await detector.detect(frame.pixels, frame.width, frame.height);
        if (box === undefined) missed++;
        last = estimator.pushFrame({ frame, box: box ?? null, timestampMs: frame.timestampMs });
      }
      expect(missed).toBe(0);
      expect(last?.faceDetected).toBe(true);
      expect(['medium', 'high']).toContain(last?.confidence);
      expect(Math.abs((last?.bpm ?? 0) - 90)).toBeLessThan(3);
    }, 120_000);
  },
);
