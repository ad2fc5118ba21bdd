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
export { decodeAudio } from './decode-audio.js';
export type { DecodeAudioOptions, DecodedAudio } from './decode-audio.js';
export { AudioDecodeError } from './audio-decode-error.js';
export type { AudioDecodeErrorCode } from './audio-decode-error.js';
