import { createFaceDetector, type FaceDetector } from '@vigil/signal/vision';

/** A face box in pixels of the frame it was found in. */
export interface FoundFace {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/** Finds the most likely face in an RGB frame; what the camera heart-rate service needs. */
export interface FaceFinder {
  find(pixels: Uint8Array, width: number, height: number): Promise<FoundFace | null>;
  close(): Promise<void>;
}

/**
 * BlazeFace (@vigil/signal/vision, ONNX Runtime, the model inside its npm package: nothing is
 * downloaded) loaded on first use, so a server that never measures a camera never loads it. One
 * detector serves every session: it runs one frame at a time on one thread.
 */
export function createLazyFaceFinder(): FaceFinder {
  let detector: Promise<FaceDetector> | null = null;
  return {
    async find(pixels, width, height) {
      detector ??= createFaceDetector();
      const [best] = await (await detector).detect(pixels, width, height);
      return best === undefined
        ? null
        : { x: best.x, y: best.y, width: best.width, height: best.height, score: best.score };
    },
    async close() {
      if (detector !== null) await (await detector).close();
    },
  };
}
