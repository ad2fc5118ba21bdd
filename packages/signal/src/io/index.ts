export { parseWfdbHeader } from './parse-wfdb-header.js';
export { readWfdbRecord, decodeWfdbRecord } from './read-wfdb-record.js';
export { decodeWfdbSamples, SUPPORTED_WFDB_FORMATS } from './decode-wfdb-samples.js';
export { parseMitAnnotations } from './parse-mit-annotations.js';
export { readAnnotations } from './read-annotations.js';
export { annotationSymbol } from './annotation-codes.js';
export type {
  Annotation,
  WfdbHeader,
  WfdbRecord,
  WfdbSignal,
  WfdbSignalSpec,
} from './wfdb-types.js';
export { parseMatlabV4 } from './parse-matlab-v4.js';
export type { MatlabV4Matrix } from './parse-matlab-v4.js';
export { decodeEcg12Record } from './decode-ecg12-record.js';
export { readEcg12Record } from './read-ecg12-record.js';
export type { Ecg12Record } from './ecg12-record.js';
// Camera heart rate: image and video decoding, the synthetic test-video writer.
export { MediaDecodeError } from './media-decode-error.js';
export type { MediaDecodeErrorCode } from './media-decode-error.js';
export { decodeJpeg } from './decode-jpeg.js';
export type { DecodeJpegOptions, DecodedImage } from './decode-jpeg.js';
export { encodeJpeg } from './encode-jpeg.js';
export type { EncodeJpegOptions } from './encode-jpeg.js';
export { probeVideo } from './probe-video.js';
export type { ProbeVideoOptions, VideoInfo } from './probe-video.js';
export { decodeVideoFrames } from './decode-video-frames.js';
export type { DecodeVideoOptions, VideoFrame } from './decode-video-frames.js';
export { writeSynthVideo } from './write-synth-video.js';
export type { WriteSynthVideoOptions } from './write-synth-video.js';
export { loadSynthFace } from './load-synth-face.js';
export { decodeAudio } from './decode-audio.js';
export type { DecodeAudioOptions, DecodedAudio } from './decode-audio.js';
export { AudioDecodeError } from './audio-decode-error.js';
export type { AudioDecodeErrorCode } from './audio-decode-error.js';
