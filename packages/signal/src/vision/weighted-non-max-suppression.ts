import { SignalInputError } from '../errors.js';
import type { FaceDetection } from './face-detection.js';

export interface WeightedNmsOptions {
  /** Boxes overlapping the best remaining one by more than this IoU are merged into it. Default 0.3. */
  iouThreshold?: number;
  /** At most this many faces are returned. Default 10. */
  maxFaces?: number;
}

function iou(a: FaceDetection, b: FaceDetection): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Weighted non-maximum suppression, the "blending" variant of BlazeFace (Bazarevsky et al.
 * 2019, section 2.3): detections are taken best score first; all remaining detections that
 * overlap the best by more than `iouThreshold` form a cluster whose box and key points are the
 * score-weighted mean of its members (steadier across frames than keeping the single best box),
 * with the best member's score. Returns the merged faces best first.
 */
export function weightedNonMaxSuppression(
  detections: readonly FaceDetection[],
  options: WeightedNmsOptions = {},
): FaceDetection[] {
  const input: unknown = detections;
  if (!Array.isArray(input)) {
    throw new SignalInputError('INVALID_ARGUMENT', 'detections', 'detections must be an array');
  }
  const threshold = options.iouThreshold ?? 0.3;
  const maxFaces = options.maxFaces ?? 10;
  let remaining = [...detections].sort((a, b) => b.score - a.score);
  const out: FaceDetection[] = [];
  while (remaining.length > 0 && out.length < maxFaces) {
    const best = remaining[0];
    if (best === undefined) break;
    const cluster: FaceDetection[] = [];
    const rest: FaceDetection[] = [];
    for (const d of remaining) (iou(best, d) > threshold ? cluster : rest).push(d);
    remaining = rest;
    let total = 0;
    let x = 0;
    let y = 0;
    let w = 0;
    let h = 0;
    const keypoints: [number, number][] = best.keypoints.map(() => [0, 0]);
    for (const d of cluster) {
      total += d.score;
      x += d.score * d.x;
      y += d.score * d.y;
      w += d.score * d.width;
      h += d.score * d.height;
      d.keypoints.forEach(([kx, ky], k) => {
        const p = keypoints[k];
        if (p !== undefined) {
          p[0] += d.score * kx;
          p[1] += d.score * ky;
        }
      });
    }
    out.push({
      x: x / total,
      y: y / total,
      width: w / total,
      height: h / total,
      score: best.score,
      keypoints: keypoints.map(([kx, ky]) => [kx / total, ky / total]),
    });
  }
  return out;
}
