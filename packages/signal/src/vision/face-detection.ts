/** One detected face. Coordinates in pixels of the image passed to the detector (or 0–1 of the network input inside the decoder). */
export interface FaceDetection {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Detector confidence, 0–1. */
  score: number;
  /**
   * Six key points [x, y]: right eye, left eye, nose tip, mouth centre, right ear tragion,
   * left ear tragion (the subject's right and left).
   */
  keypoints: [number, number][];
}
