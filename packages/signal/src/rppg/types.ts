/** A face box in pixel coordinates of the frame it was found in (x, y = top-left corner). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Detector score in [0, 1]; 1 when the box did not come from a detector. */
  score?: number;
}

/** A frame's pixels: 8-bit RGB (3 channels) or RGBA (4 channels), rows top to bottom. */
export interface PixelFrame {
  pixels: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 3 for RGB, 4 for RGBA. Default: inferred from the buffer length. */
  channels?: 3 | 4;
}

/** Mean colour of the skin in one frame, 0–255 per channel. */
export interface MeanRgb {
  r: number;
  g: number;
  b: number;
}

export type RppgConfidence = 'high' | 'medium' | 'low';
export type RppgSignalQuality = 'good' | 'fair' | 'poor';
export type RppgMethod = 'pos' | 'chrom';
