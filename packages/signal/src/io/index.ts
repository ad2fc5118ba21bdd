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
