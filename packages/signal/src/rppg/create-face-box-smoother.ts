import { SignalInputError } from '../errors.js';
import type { FaceBox } from './types.js';

export interface FaceBoxSmootherOptions {
  /**
   * Weight of the newest box in the exponential average, 0–1. Default 0.3: detector jitter of
   * a few pixels per frame moves the region of interest (and its mean colour) far less.
   */
  alpha?: number;
  /**
   * A new box whose centre is more than this many box widths from the smoothed one starts
   * afresh (another face, or a jump), default 0.5.
   */
  jumpWidths?: number;
}

export interface FaceBoxSmoother {
  /** Feeds the newest detection and returns the smoothed box. */
  update(box: FaceBox): FaceBox;
  /** Forgets the history (face lost). */
  reset(): void;
}

/** Exponential smoothing of face boxes across frames, with a restart on jumps. */
export function createFaceBoxSmoother(options: FaceBoxSmootherOptions = {}): FaceBoxSmoother {
  const alpha = options.alpha ?? 0.3;
  const jumpWidths = options.jumpWidths ?? 0.5;
  if (!(alpha > 0 && alpha <= 1)) {
    throw new SignalInputError('INVALID_OPTION', 'options.alpha', 'alpha must be in (0, 1]');
  }
  let current: FaceBox | null = null;
  return {
    update(box: FaceBox): FaceBox {
      if (current !== null) {
        const dx = box.x + box.width / 2 - (current.x + current.width / 2);
        const dy = box.y + box.height / 2 - (current.y + current.height / 2);
        if (Math.hypot(dx, dy) > jumpWidths * current.width) current = null;
      }
      if (current === null) {
        current = { ...box };
        return { ...current };
      }
      current = {
        x: current.x + alpha * (box.x - current.x),
        y: current.y + alpha * (box.y - current.y),
        width: current.width + alpha * (box.width - current.width),
        height: current.height + alpha * (box.height - current.height),
        score: box.score ?? 1,
      };
      return { ...current };
    },
    reset(): void {
      current = null;
    },
  };
}
