/**
 * Runs the face pipeline of the camera heart-rate estimator once over every video with a contact
 * reference in a folder (UBFC-rPPG layout: <subject>/vid.* beside ground_truth.txt) and writes,
 * per video, the per-frame trace the estimator consumes — timestamp, face found or not, mean skin
 * RGB of the smoothed box, the raw box — with the reference, as JSON. Replaying a trace through
 * `pushMeanRgb` (with the box) reproduces the estimator's output frame for frame without the
 * video decoding and BlazeFace, so gates can be compared offline (replay-rppg-gate.ts).
 *
 * Run: npx tsx --conditions vigil-source packages/signal/src/tools/dump-rppg-traces.ts <folder> <out-dir>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { decodeVideoFrames } from '../io/decode-video-frames.js';
import { createFaceBoxSmoother } from '../rppg/create-face-box-smoother.js';
import { createRppgEstimator } from '../rppg/create-rppg-estimator.js';
import { meanSkinRgb } from '../rppg/mean-skin-rgb.js';
import { createFaceDetector } from '../vision/create-face-detector.js';
import { listFiles } from './list-files.js';
import { readRppgReference } from './read-rppg-reference.js';
import type { RppgTraceFrame } from './rppg-trace-frame.js';

const [root, outDir] = process.argv.slice(2);
if (root === undefined || outDir === undefined) {
  console.error('usage: dump-rppg-traces.ts <folder> <out-dir>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const VIDEO = new Set(['.avi', '.mp4', '.webm', '.mov', '.mkv', '.y4m']);
const files = listFiles(root);
const detector = await createFaceDetector();
for (const video of files.filter((f) => VIDEO.has(extname(f).toLowerCase()))) {
  const refPath = join(dirname(video), 'ground_truth.txt');
  if (!files.includes(refPath)) continue;
  const reference = readRppgReference(readFileSync(refPath, 'utf8'));
  const name = basename(dirname(video));
  const smoother = createFaceBoxSmoother();
  const estimator = createRppgEstimator();
  const frames: RppgTraceFrame[] = [];
  const started = Date.now();
  for await (const frame of decodeVideoFrames(video, { maxDurationSeconds: 600 })) {
    const [box] = await detector.detect(frame.pixels, frame.width, frame.height);
    const estimate = estimator.pushFrame({
      frame,
      box: box ?? null,
      timestampMs: frame.timestampMs,
    });
    let face = false;
    let rgb = { r: 0, g: 0, b: 0 };
    if (box === undefined) smoother.reset();
    else {
      const skin = meanSkinRgb(frame, smoother.update(box));
      face = skin.skinPixels > 0 && skin.skinFraction >= 0.05;
      if (face) rgb = skin;
      else smoother.reset();
    }
    frames.push({
      i: frame.index,
      t: frame.timestampMs,
      face,
      r: rgb.r,
      g: rgb.g,
      b: rgb.b,
      box: box === undefined ? null : [box.x, box.y, box.width, box.height],
      bpm: estimate.bpm,
    });
  }
  writeFileSync(
    join(outDir, `${name}.json`),
    JSON.stringify({
      name,
      frames,
      reference: {
        timesMs: Array.from(reference.timesMs),
        ppg: Array.from(reference.ppg),
        hrBpm: Array.from(reference.hrBpm),
      },
    }),
  );
  console.log(
    `${name}: ${frames.length} frames in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}
await detector.close();
