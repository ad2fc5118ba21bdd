import { SignalInputError } from '../../errors.js';
import { createRng } from '../../synth/create-rng.js';
import type { FaceBox, PixelFrame } from '../types.js';
import { PPG_BEAT_TEMPLATE } from './ppg-template.js';

export interface FaceVideoSynthOptions {
  /** The face photograph (RGB), e.g. the public-domain portrait shipped with the io module. */
  face: PixelFrame;
  /** Frame size, pixels. Default 640 × 480. */
  width?: number;
  height?: number;
  /** Frames per second. Default 30. */
  fps?: number;
  /** Length, seconds. Default 20. */
  durationSeconds?: number;
  /** Mean pulse rate, bpm. Default 72. */
  bpm?: number;
  /** Standard deviation of the slow wander of the pulse rate, bpm. Default 1. */
  bpmWanderSd?: number;
  /**
   * Peak-to-peak change of the skin's green channel over a beat, relative. Default 0.006: real
   * facial rPPG amplitudes are a few tenths of a percent (Verkruysse et al., Opt. Express 2008).
   * 0 renders a face without a pulse.
   */
  pulseAmplitude?: number;
  /** Camera noise, standard deviation in 8-bit levels per pixel and channel. Default 2. */
  noiseSd?: number;
  /** Head motion: peak displacement in pixels (default 0) and its frequency in Hz (0.3). */
  motionPx?: number;
  motionHz?: number;
  /** White-light flicker: relative amplitude (default 0) and frequency in Hz (1.5, in band). */
  flickerAmplitude?: number;
  flickerHz?: number;
  /** Slow lighting change: relative amplitude of a 0.05 Hz swell (default 0). */
  lightingDrift?: number;
  /** Face height as a fraction of the frame height. Default 0.65 (a webcam at arm's length). */
  faceHeightFraction?: number;
  /** Seed of the noise and rate wander. Default 1. */
  seed?: number;
}

export interface SynthFrame {
  /** RGB, width × height × 3 bytes (a fresh buffer per call). */
  pixels: Uint8Array;
  width: number;
  height: number;
  timestampMs: number;
  /** Where the face photograph was placed in this frame. */
  faceBox: FaceBox;
  /** Instantaneous pulse rate, bpm (0 without pulse). */
  bpm: number;
  /** Pulse waveform value at this frame, 0–1 (0 without pulse). */
  ppg: number;
}

export interface FaceVideoSynth {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Mean of the per-frame pulse rates, bpm (0 without pulse). */
  meanBpm: number;
  /** Renders frame `index` (0-based). */
  frame(index: number): SynthFrame;
}

// Relative pulse amplitude per channel of skin: the normalised blood-volume pulse signature
// Pbv ≈ [0.33, 0.77, 0.53] (de Haan & van Leest, Physiol. Meas. 35, 2014), scaled to green = 1.
const PBV = [0.33 / 0.77, 1, 0.53 / 0.77] as const;

/**
 * A synthetic webcam video of a face whose skin colour follows a real PPG beat shape at a known,
 * slowly wandering rate, with optional camera noise, head motion, white-light flicker and slow
 * lighting change. Pure: frames are rendered on request from the seed, so any frame can be
 * reproduced. Only skin pixels of the photograph (the chroma rule of meanSkinRgb) pulse; hair,
 * eyes and background do not.
 */
export function createFaceVideoSynth(options: FaceVideoSynthOptions): FaceVideoSynth {
  const face = options.face;
  const faceChannels = face.channels ?? face.pixels.length / (face.width * face.height);
  if (faceChannels !== 3 && faceChannels !== 4) {
    throw new SignalInputError(
      'INVALID_ARGUMENT',
      'options.face',
      'face must be an RGB or RGBA image',
    );
  }
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const fps = options.fps ?? 30;
  const durationSeconds = options.durationSeconds ?? 20;
  const bpm = options.bpm ?? 72;
  if (!(bpm === 0 || (bpm >= 30 && bpm <= 240))) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.bpm',
      'bpm must be 0 (no pulse) or 30–240',
    );
  }
  if (!(fps > 0 && fps <= 120) || !(durationSeconds > 0 && durationSeconds <= 600)) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.fps',
      'fps must be in (0, 120] and durationSeconds in (0, 600]',
    );
  }
  const amplitude = bpm === 0 ? 0 : (options.pulseAmplitude ?? 0.006);
  const noiseSd = options.noiseSd ?? 2;
  const motionPx = options.motionPx ?? 0;
  const motionHz = options.motionHz ?? 0.3;
  const flickerAmplitude = options.flickerAmplitude ?? 0;
  const flickerHz = options.flickerHz ?? 1.5;
  const lightingDrift = options.lightingDrift ?? 0;
  const seed = options.seed ?? 1;
  const frameCount = Math.round(durationSeconds * fps);

  // Scale the photograph (bilinear) so the face fills faceHeightFraction of the frame.
  const th = Math.min(height, Math.round((options.faceHeightFraction ?? 0.65) * height));
  const tw = Math.min(width, Math.round((th * face.width) / face.height));
  const texture = new Float32Array(tw * th * 3);
  const skinWeight = new Float32Array(tw * th);
  for (let y = 0; y < th; y++) {
    const sy = Math.min(face.height - 1.001, ((y + 0.5) * face.height) / th - 0.5);
    const y0 = Math.max(0, Math.floor(sy));
    const fy = Math.max(0, sy - y0);
    for (let x = 0; x < tw; x++) {
      const sx = Math.min(face.width - 1.001, ((x + 0.5) * face.width) / tw - 0.5);
      const x0 = Math.max(0, Math.floor(sx));
      const fx = Math.max(0, sx - x0);
      const rgb = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number): number =>
          face.pixels[(yy * face.width + xx) * faceChannels + c] ?? 0;
        const v =
          (1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x0 + 1)) +
          fy * ((1 - fx) * p(y0 + 1, x0) + fx * p(y0 + 1, x0 + 1));
        rgb[c] = v;
        texture[(y * tw + x) * 3 + c] = v;
      }
      const [r = 0, g = 0, b = 0] = rgb;
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
      const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
      skinWeight[y * tw + x] =
        luma >= 40 && luma <= 240 && cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173 ? 1 : 0;
    }
  }
  // Background: the photograph's top-left colour, as a soft vertical gradient.
  const bg = [texture[0] ?? 128, texture[1] ?? 128, texture[2] ?? 128];
  const baseX = Math.round((width - tw) / 2);
  const baseY = Math.round((height - th) / 2);

  // Pulse phase: integrate the instantaneous rate (a slow random walk around bpm).
  const rng = createRng(seed);
  const wanderSd = options.bpmWanderSd ?? 1;
  const rates = new Float64Array(frameCount);
  const phase = new Float64Array(frameCount);
  let wander = 0;
  let ph = rng.uniform();
  for (let i = 0; i < frameCount; i++) {
    // Ornstein–Uhlenbeck step with a 5 s time constant and stationary sd = wanderSd.
    const k = 1 / (5 * fps);
    wander += -k * wander + wanderSd * Math.sqrt(2 * k) * rng.normal();
    rates[i] = bpm === 0 ? 0 : Math.max(30, bpm + wander);
    phase[i] = ph;
    ph += (rates[i] ?? 0) / 60 / fps;
  }
  let meanBpm = 0;
  for (const v of rates) meanBpm += v;
  meanBpm /= frameCount;

  // Camera noise from a table of normal deviates read at a per-frame offset (fast, reproducible).
  const noise = new Float32Array(1 << 20);
  for (let i = 0; i < noise.length; i++) noise[i] = noiseSd * rng.normal();

  const ppgAt = (p: number): number => {
    const pos = (p - Math.floor(p)) * PPG_BEAT_TEMPLATE.length;
    const i = Math.floor(pos);
    const f = pos - i;
    const a = PPG_BEAT_TEMPLATE[i] ?? 0;
    const b = PPG_BEAT_TEMPLATE[(i + 1) % PPG_BEAT_TEMPLATE.length] ?? 0;
    return a + f * (b - a);
  };

  return {
    width,
    height,
    fps,
    frameCount,
    meanBpm,
    frame(index: number): SynthFrame {
      if (!Number.isInteger(index) || index < 0 || index >= frameCount) {
        throw new SignalInputError(
          'INVALID_ARGUMENT',
          'index',
          `index must be an integer in [0, ${frameCount})`,
        );
      }
      const t = index / fps;
      const ppg = amplitude === 0 ? 0 : ppgAt(phase[index] ?? 0);
      // Blood absorbs: more volume (ppg up) darkens the skin. Mean-centred around the beat.
      const pulse = amplitude * (ppg - 0.35);
      const light =
        1 +
        flickerAmplitude * Math.sin(2 * Math.PI * flickerHz * t) +
        lightingDrift * Math.sin(2 * Math.PI * 0.05 * t);
      const dx = Math.round(motionPx * Math.sin(2 * Math.PI * motionHz * t));
      const dy = Math.round(0.5 * motionPx * Math.sin(2 * Math.PI * motionHz * 1.3 * t + 1));
      const fx0 = Math.max(0, Math.min(width - tw, baseX + dx));
      const fy0 = Math.max(0, Math.min(height - th, baseY + dy));
      const skinGain = [
        light * (1 - PBV[0] * pulse),
        light * (1 - PBV[1] * pulse),
        light * (1 - PBV[2] * pulse),
      ] as const;
      const pixels = new Uint8Array(width * height * 3);
      let n = (index * 7919 * 3) & (noise.length - 1);
      const mask = noise.length - 1;
      for (let y = 0; y < height; y++) {
        const ty = y - fy0;
        const shade = 0.9 + (0.2 * y) / height;
        for (let x = 0; x < width; x++) {
          const o = (y * width + x) * 3;
          const tx = x - fx0;
          if (ty >= 0 && ty < th && tx >= 0 && tx < tw) {
            const ti = ty * tw + tx;
            const s = skinWeight[ti] ?? 0;
            for (let c = 0; c < 3; c++) {
              const gain = s > 0 ? (skinGain[c] ?? 1) : light;
              const v = (texture[ti * 3 + c] ?? 0) * gain + (noise[n] ?? 0);
              n = (n + 1) & mask;
              pixels[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
            }
          } else {
            for (let c = 0; c < 3; c++) {
              const v = (bg[c] ?? 0) * shade * light + (noise[n] ?? 0);
              n = (n + 1) & mask;
              pixels[o + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
            }
          }
        }
      }
      return {
        pixels,
        width,
        height,
        timestampMs: (index * 1000) / fps,
        faceBox: { x: fx0, y: fy0, width: tw, height: th, score: 1 },
        bpm: rates[index] ?? 0,
        ppg,
      };
    },
  };
}
