// Face detection for camera heart rate: BlazeFace on ONNX Runtime (Node only, not pure numeric code).
export { createFaceDetector } from './create-face-detector.js';
export type { FaceDetector, FaceDetectorOptions } from './create-face-detector.js';
export type { FaceDetection } from './face-detection.js';
export { blazeFaceAnchors } from './blazeface-anchors.js';
export { decodeBlazeFace } from './decode-blazeface.js';
export type { DecodeBlazeFaceOptions } from './decode-blazeface.js';
export { weightedNonMaxSuppression } from './weighted-non-max-suppression.js';
export type { WeightedNmsOptions } from './weighted-non-max-suppression.js';
