import { readFile } from 'node:fs/promises';
import { SignalInputError } from '../errors.js';
import { parseMitAnnotations } from './parse-mit-annotations.js';
import type { Annotation } from './wfdb-types.js';

/** Reads `<recordPath>.<extension>` (MIT format, default `atr`). */
export async function readAnnotations(
  recordPath: string,
  extension = 'atr',
): Promise<Annotation[]> {
  if (typeof recordPath !== 'string' || recordPath === '') {
    throw new SignalInputError('INVALID_ARGUMENT', 'recordPath', 'record path is empty');
  }
  const bytes = await readFile(`${recordPath}.${extension}`);
  return parseMitAnnotations(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
