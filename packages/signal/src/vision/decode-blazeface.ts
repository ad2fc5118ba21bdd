import { SignalInputError } from '../errors.js';
import type { FaceDetection } from './face-detection.js';

export interface DecodeBlazeFaceOptions {
  /** Side of the square network input, pixels. Default 128 (short-range model). */
  inputSize?: number;
  /** Minimum score (after the sigmoid) kept. Default 0.6. */
  minScore?: number;
}

/**
 * Turns BlazeFace's raw outputs into face boxes in 0–1 coordinates of the network input. For
 * anchor i, `scores[i]` is a logit (clipped to ±100 and passed through a sigmoid, as MediaPipe's
 * TensorsToDetectionsCalculator does) and `regressors[16 i … 16 i + 15]` hold the box centre
 * offset (x, y) and size (w, h), then six key points (x, y), all in input pixels relative to
 * the anchor centre.
 *
 * @param anchors interleaved anchor centres from blazeFaceAnchors().
 */
export function decodeBlazeFace(
  scores: Float32Array,
  regressors: Float32Array,
  anchors: Float32Array,
  options: DecodeBlazeFaceOptions = {},
): FaceDetection[] {
  const count = anchors.length / 2;
  if (scores.length !== count || regressors.length !== 16 * count) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'scores',
      `expected ${count} scores and ${16 * count} regressors, got ${scores.length} and ${regressors.length}`,
    );
  }
  const size = options.inputSize ?? 128;
  const minScore = options.minScore ?? 0.6;
  const out: FaceDetection[] = [];
  for (let i = 0; i < count; i++) {
    const logit = Math.max(-100, Math.min(100, scores[i] ?? -100));
    const score = 1 / (1 + Math.exp(-logit));
    if (score < minScore) continue;
    const ax = anchors[2 * i] ?? 0;
    const ay = anchors[2 * i + 1] ?? 0;
    const o = 16 * i;
    const cx = ax + (regressors[o] ?? 0) / size;
    const cy = ay + (regressors[o + 1] ?? 0) / size;
    const w = (regressors[o + 2] ?? 0) / size;
    const h = (regressors[o + 3] ?? 0) / size;
    if (!(w > 0 && h > 0)) continue;
    const keypoints: [number, number][] = [];
    for (let k = 0; k < 6; k++) {
      keypoints.push([
        ax + (regressors[o + 4 + 2 * k] ?? 0) / size,
        ay + (regressors[o + 5 + 2 * k] ?? 0) / size,
      ]);
    }
    out.push({ x: cx - w / 2, y: cy - h / 2, width: w, height: h, score, keypoints });
  }
  return out;
}
