import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SignalInputError } from '../errors.js';
import { decodeWfdbSamples, invalidSampleValue, samplesInBytes } from './decode-wfdb-samples.js';
import { parseWfdbHeader } from './parse-wfdb-header.js';
import type { WfdbHeader, WfdbRecord, WfdbSignal, WfdbSignalSpec } from './wfdb-types.js';

/**
 * Reads a single-segment WFDB record: `<recordPath>.hea` and its data files (formats 212, 16,
 * 61, 80; signals sharing a file are interleaved frame by frame). `recordPath` is the path
 * without extension, as in WFDB tools (`/data/mitdb/100`).
 */
export async function readWfdbRecord(recordPath: string): Promise<WfdbRecord> {
  if (typeof recordPath !== 'string' || recordPath === '') {
    throw new SignalInputError('INVALID_ARGUMENT', 'recordPath', 'record path is empty');
  }
  const folder = dirname(recordPath);
  const header = parseWfdbHeader(await readFile(`${recordPath}.hea`, 'utf8'));
  const files = new Map<string, Uint8Array>();
  for (const spec of header.signals) {
    if (!files.has(spec.fileName)) {
      files.set(spec.fileName, await readFile(join(folder, spec.fileName)));
    }
  }
  return decodeWfdbRecord(header, files, basename(recordPath));
}

/** Decodes a record from its parsed header and the bytes of its data files (by file name). */
export function decodeWfdbRecord(
  header: WfdbHeader,
  files: ReadonlyMap<string, Uint8Array>,
  name = header.name,
): WfdbRecord {
  // Signals are grouped by data file in header order; within a file they are interleaved.
  const groups = new Map<string, { spec: WfdbSignalSpec; index: number }[]>();
  header.signals.forEach((spec, index) => {
    if (spec.samplesPerFrame !== 1) {
      throw new SignalInputError(
        'UNSUPPORTED_FORMAT',
        `signals[${index}].samplesPerFrame`,
        'multi-frequency records (samples per frame > 1) are not supported',
      );
    }
    const group = groups.get(spec.fileName) ?? [];
    group.push({ spec, index });
    groups.set(spec.fileName, group);
  });

  let nSamples = header.nSamples;
  const signals: WfdbSignal[] = new Array<WfdbSignal>(header.signals.length);
  for (const [fileName, group] of groups) {
    const first = group[0];
    if (first === undefined) continue;
    const format = first.spec.format;
    if (group.some((g) => g.spec.format !== format)) {
      throw new SignalInputError(
        'UNSUPPORTED_FORMAT',
        'header',
        `signals in ${fileName} mix storage formats`,
      );
    }
    const allBytes = files.get(fileName);
    if (allBytes === undefined) {
      throw new SignalInputError('INVALID_ARGUMENT', 'files', `no data for ${fileName}`);
    }
    const bytes = allBytes.subarray(first.spec.byteOffset);
    const width = group.length;
    // A header may omit the length: take every whole frame the file holds (WFDB does the same).
    const n = nSamples ?? Math.floor(samplesInBytes(format, bytes.length) / width);
    nSamples = n;
    const raw = decodeWfdbSamples(bytes, format, n * width);
    const invalidValue = invalidSampleValue(format);
    group.forEach(({ spec, index }, column) => {
      const digital = new Int32Array(n);
      const physical = new Float64Array(n);
      const scale = 1 / spec.gain;
      for (let i = 0, k = column; i < n; i++, k += width) {
        const v = raw[k] ?? invalidValue;
        digital[i] = v;
        physical[i] = v === invalidValue ? Number.NaN : (v - spec.baseline) * scale;
      }
      signals[index] = {
        description: spec.description,
        units: spec.units,
        gain: spec.gain,
        baseline: spec.baseline,
        adcZero: spec.adcZero,
        digital,
        physical,
      };
    });
  }
  return { name, fs: header.fs, nSamples: nSamples ?? 0, signals, header };
}
