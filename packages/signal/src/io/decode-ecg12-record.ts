import { SignalInputError } from '../errors.js';
import type { Ecg12Record } from './ecg12-record.js';
import { parseMatlabV4 } from './parse-matlab-v4.js';
import { parseWfdbHeader } from './parse-wfdb-header.js';
import { decodeWfdbRecord } from './read-wfdb-record.js';

const ORDER = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'];

/** `mV`, `uV`/`µV`, `V` → factor to mV (WFDB unit strings are free text; these are the ones used). */
function toMvFactor(units: string, index: number): number {
  const u = units.trim().toLowerCase();
  if (u === 'mv' || u === '') return 1;
  if (u === 'uv' || u === 'µv' || u === 'μv') return 1e-3;
  if (u === 'v') return 1e3;
  throw new SignalInputError(
    'UNSUPPORTED_FORMAT',
    `signals[${index}].units`,
    `unsupported ECG units "${units}" (expected mV, uV or V)`,
  );
}

/**
 * Decodes a 12-lead record from the bytes of an upload: the WFDB header text (`.hea`) and the
 * bytes of its one data file, either a MATLAB v4 `.mat` (PhysioNet/CinC Challenge 2020/2021:
 * an int16 matrix leads × samples, gains and baselines from the header) or a WFDB `.dat` in any
 * format `decodeWfdbRecord` reads (PTB-XL `records500`: format 16). Leads are matched to the
 * standard order by their header descriptions (case-insensitive I, II, III, aVR, aVL, aVF,
 * V1–V6); `# Age:`, `# Sex:` and `# Dx:` comments are parsed when present.
 */
export function decodeEcg12Record(headerText: string, data: Uint8Array): Ecg12Record {
  if (!(data instanceof Uint8Array) || data.length === 0) {
    throw new SignalInputError('EMPTY_INPUT', 'data', 'the record data file is empty');
  }
  const header = parseWfdbHeader(headerText);
  const fileNames = new Set(header.signals.map((s) => s.fileName));
  if (header.signals.length < 12 || fileNames.size !== 1) {
    throw new SignalInputError(
      'UNSUPPORTED_FORMAT',
      'header',
      `expected 12 signals in one data file, got ${header.signals.length} in ${fileNames.size}`,
    );
  }
  const fileName = header.signals[0]?.fileName ?? '';
  let physical: Float64Array[];
  let n: number;
  if (fileName.toLowerCase().endsWith('.mat')) {
    const matrix = parseMatlabV4(data);
    if (matrix.rows !== header.signals.length) {
      throw new SignalInputError(
        'INVALID_ARGUMENT',
        'data',
        `the .mat matrix has ${matrix.rows} rows, the header ${header.signals.length} signals`,
      );
    }
    n = matrix.cols;
    physical = header.signals.map((spec, r) => {
      const out = new Float64Array(n);
      for (let c = 0; c < n; c++)
        out[c] = ((matrix.data[c * matrix.rows + r] ?? 0) - spec.baseline) / spec.gain;
      return out;
    });
  } else {
    const record = decodeWfdbRecord(header, new Map([[fileName, data]]));
    n = record.nSamples;
    physical = record.signals.map((s) => s.physical);
  }
  const names = header.signals.map((s) => s.description.trim().toLowerCase());
  const leadsMv = ORDER.map((lead) => {
    const index = names.indexOf(lead);
    if (index < 0) {
      throw new SignalInputError(
        'INVALID_HEADER',
        'header',
        `lead ${lead} is missing (signals: ${names.join(', ')})`,
      );
    }
    const factor = toMvFactor(header.signals[index]?.units ?? 'mV', index);
    const source = physical[index] ?? new Float64Array(n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (source[i] ?? NaN) * factor;
    return out;
  });
  let age: number | null = null;
  let sex: Ecg12Record['sex'] = null;
  let dx: string[] = [];
  for (const comment of header.comments) {
    const match = /^<?(age|sex|dx)>?\s*:\s*(.*)$/i.exec(comment);
    if (match === null) continue;
    const key = (match[1] ?? '').toLowerCase();
    const value = (match[2] ?? '').trim();
    if (key === 'age') {
      const a = Number(value);
      age = value !== '' && Number.isFinite(a) ? a : null;
    } else if (key === 'sex') {
      sex = /^(f|female)$/i.test(value) ? 'female' : /^(m|male)$/i.test(value) ? 'male' : null;
    } else {
      dx = value
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '');
    }
  }
  return { name: header.name, samplingRateHz: header.fs, leadsMv, age, sex, dx };
}
