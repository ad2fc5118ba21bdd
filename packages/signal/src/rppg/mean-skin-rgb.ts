import { SignalInputError } from '../errors.js';
import type { FaceBox, MeanRgb, PixelFrame } from './types.js';

/** Width of the soft edge of the chroma rule, in Cb/Cr units. */
const SOFT_CHROMA = 6;

/** 1 inside [lo, hi], 0 beyond `soft / 2` outside it, linear in between. */
function ramp(v: number, lo: number, hi: number, soft: number): number {
  const a = (v - lo) / soft + 0.5;
  const b = (hi - v) / soft + 0.5;
  const m = Math.min(a, b);
  return m <= 0 ? 0 : m >= 1 ? 1 : m;
}

export interface MeanSkinRgbOptions {
  /**
   * Part of the face box averaged, as fractions of its width and height: [left, top, right,
   * bottom]. Default [0.15, 0.1, 0.85, 0.95]: the cheeks, nose and lower forehead, leaving
   * out the hair line and the background at the box edges.
   */
  region?: readonly [number, number, number, number];
  /** Take every `step`-th pixel in each direction. Default 1. */
  step?: number;
}

export interface SkinRgb extends MeanRgb {
  /** Skin pixels (the sum of the soft skin weights). */
  skinPixels: number;
  /** Skin pixels over the pixels of the region, 0–1. */
  skinFraction: number;
}

/**
 * Mean colour of the skin pixels inside a face box. A pixel is skin when its BT.601 chroma falls
 * in the skin cluster of Chai & Ngan (IEEE TCSVT 9(4), 1999: 77 ≤ Cb ≤ 127, 133 ≤ Cr ≤ 173) and
 * its luma is between 40 and 240 (eyes, nostrils, shadows and specular highlights carry no
 * pulse and are left out). The rule has soft edges (a linear ramp 6 Cb/Cr units and 10 luma
 * levels wide, weights in between): with a hard threshold, pixels near the edge of the cluster
 * enter and leave the mask as the pulse itself changes their colour, and that mask flicker is
 * larger than the pulse. Returns zero skin pixels, and NaN colours, when none qualify.
 */
export function meanSkinRgb(
  frame: PixelFrame,
  box: FaceBox,
  options: MeanSkinRgbOptions = {},
): SkinRgb {
  const { pixels, width, height } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'frame.width',
      'width and height must be positive integers',
    );
  }
  const channels = frame.channels ?? pixels.length / (width * height);
  if ((channels !== 3 && channels !== 4) || pixels.length < width * height * channels) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'frame.pixels',
      `pixels must hold width × height × 3 (RGB) or × 4 (RGBA) bytes, got ${pixels.length}`,
    );
  }
  const [fl, ft, fr, fb] = options.region ?? [0.15, 0.1, 0.85, 0.95];
  const step = options.step ?? 1;
  const x0 = Math.max(0, Math.round(box.x + fl * box.width));
  const x1 = Math.min(width, Math.round(box.x + fr * box.width));
  const y0 = Math.max(0, Math.round(box.y + ft * box.height));
  const y1 = Math.min(height, Math.round(box.y + fb * box.height));
  let sr = 0;
  let sg = 0;
  let sb = 0;
  let skin = 0;
  let total = 0;
  for (let y = y0; y < y1; y += step) {
    let p = (y * width + x0) * channels;
    const advance = step * channels;
    for (let x = x0; x < x1; x += step, p += advance) {
      const r = pixels[p] ?? 0;
      const g = pixels[p + 1] ?? 0;
      const b = pixels[p + 2] ?? 0;
      total++;
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
      const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
      const w =
        ramp(luma, 40, 240, 10) * ramp(cb, 77, 127, SOFT_CHROMA) * ramp(cr, 133, 173, SOFT_CHROMA);
      if (w === 0) continue;
      sr += w * r;
      sg += w * g;
      sb += w * b;
      skin += w;
    }
  }
  return {
    r: sr / skin,
    g: sg / skin,
    b: sb / skin,
    skinPixels: skin,
    skinFraction: total > 0 ? skin / total : 0,
  };
}
