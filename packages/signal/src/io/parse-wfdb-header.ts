import { SignalInputError } from '../errors.js';
import type { WfdbHeader, WfdbSignalSpec } from './wfdb-types.js';

/** WFDB default ADC gain when the header omits it or writes 0 (WFDB `DEFGAIN`). */
const DEFAULT_GAIN = 200;
/** WFDB default sampling frequency (WFDB `DEFFREQ`). */
const DEFAULT_FS = 250;

function invalid(message: string): SignalInputError {
  return new SignalInputError('INVALID_HEADER', 'header', message);
}

function parseNumber(token: string, what: string): number {
  const value = Number(token);
  if (!Number.isFinite(value)) throw invalid(`${what} is not a number: "${token}"`);
  return value;
}

/**
 * Parses the text of a WFDB header file (`.hea`), single-segment records, as specified in the
 * WFDB header(5) manual page (https://physionet.org/physiotools/wag/header-5.htm).
 * Accepts LF and CRLF line endings, comment lines, and the optional counter frequency and base
 * counter (`360/720(0)`) after the sampling frequency.
 */
export function parseWfdbHeader(text: string): WfdbHeader {
  if (typeof text !== 'string' || text.trim() === '') throw invalid('header text is empty');
  const comments: string[] = [];
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n|\r/)) {
    const hash = raw.indexOf('#');
    if (hash >= 0) {
      const comment = raw.slice(hash + 1).trim();
      if (comment !== '') comments.push(comment);
    }
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (content !== '') lines.push(content);
  }
  const recordLine = lines[0];
  if (recordLine === undefined) throw invalid('header has no record line');
  const fields = recordLine.split(/\s+/);
  const nameField = fields[0] ?? '';
  if (nameField.includes('/')) {
    throw new SignalInputError(
      'UNSUPPORTED_FORMAT',
      'header',
      `multi-segment record "${nameField}" is not supported`,
    );
  }
  const nSignals = fields[1] === undefined ? 0 : parseNumber(fields[1], 'number of signals');
  if (!Number.isInteger(nSignals) || nSignals < 0) throw invalid(`bad number of signals`);

  let fs = DEFAULT_FS;
  let counterFrequency: number | null = null;
  let baseCounter: number | null = null;
  const fsField = fields[2];
  if (fsField !== undefined) {
    // fs[/counterFrequency[(baseCounter)]]
    const match = /^([^/(]+)(?:\/([^(]+))?(?:\(([^)]*)\))?$/.exec(fsField);
    if (match === null) throw invalid(`bad sampling frequency field "${fsField}"`);
    fs = parseNumber(match[1] ?? '', 'sampling frequency');
    if (match[2] !== undefined) counterFrequency = parseNumber(match[2], 'counter frequency');
    if (match[3] !== undefined) baseCounter = parseNumber(match[3], 'base counter');
    if (fs <= 0) throw invalid(`sampling frequency must be positive, got ${fs}`);
  }
  const nSamples = fields[3] === undefined ? null : parseNumber(fields[3], 'number of samples');
  if (nSamples !== null && (!Number.isInteger(nSamples) || nSamples < 0)) {
    throw invalid(`bad number of samples "${fields[3] ?? ''}"`);
  }

  const signals: WfdbSignalSpec[] = [];
  for (let s = 0; s < nSignals; s++) {
    const line = lines[1 + s];
    if (line === undefined) throw invalid(`header declares ${nSignals} signals, found ${s}`);
    signals.push(parseSignalLine(line, s));
  }
  return {
    name: nameField,
    nSignals,
    fs,
    counterFrequency,
    baseCounter,
    nSamples,
    baseTime: fields[4] ?? null,
    baseDate: fields[5] ?? null,
    signals,
    comments,
  };
}

function parseSignalLine(line: string, index: number): WfdbSignalSpec {
  const tokens = line.split(/\s+/);
  const fileName = tokens[0] ?? '';
  const formatField = tokens[1];
  if (formatField === undefined) throw invalid(`signal ${index} has no format`);
  // format[xsamps][:skew][+offset]
  const fm = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/.exec(formatField);
  if (fm === null) throw invalid(`signal ${index}: bad format field "${formatField}"`);
  const format = Number(fm[1]);
  const samplesPerFrame = fm[2] === undefined ? 1 : Number(fm[2]);
  const skew = fm[3] === undefined ? 0 : Number(fm[3]);
  const byteOffset = fm[4] === undefined ? 0 : Number(fm[4]);

  let gain = DEFAULT_GAIN;
  let baseline: number | null = null;
  let units = 'mV';
  const gainField = tokens[2];
  if (gainField !== undefined) {
    // adcgain[(baseline)][/units]
    const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(.*))?$/.exec(gainField);
    if (gm === null) throw invalid(`signal ${index}: bad gain field "${gainField}"`);
    const g = parseNumber(gm[1] ?? '', `signal ${index} gain`);
    gain = g === 0 ? DEFAULT_GAIN : g;
    if (gm[2] !== undefined) baseline = parseNumber(gm[2], `signal ${index} baseline`);
    if (gm[3] !== undefined && gm[3] !== '') units = gm[3];
  }
  const adcResolution = tokens[3] === undefined ? 0 : parseNumber(tokens[3], 'ADC resolution');
  const adcZero = tokens[4] === undefined ? 0 : parseNumber(tokens[4], 'ADC zero');
  const initialValue = tokens[5] === undefined ? null : parseNumber(tokens[5], 'initial value');
  const checksum = tokens[6] === undefined ? null : parseNumber(tokens[6], 'checksum');
  const blockSize = tokens[7] === undefined ? 0 : parseNumber(tokens[7], 'block size');
  const description = tokens.slice(8).join(' ');
  return {
    fileName,
    format,
    samplesPerFrame,
    skew,
    byteOffset,
    gain,
    baseline: baseline ?? adcZero,
    units,
    adcResolution,
    adcZero,
    initialValue,
    checksum,
    blockSize,
    description,
  };
}
