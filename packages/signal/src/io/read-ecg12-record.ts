import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SignalInputError } from '../errors.js';
import { decodeEcg12Record } from './decode-ecg12-record.js';
import type { Ecg12Record } from './ecg12-record.js';
import { parseWfdbHeader } from './parse-wfdb-header.js';

/**
 * Reads a 12-lead record from disk: `path` is the header (`.hea`) or the record path without
 * extension; the data file (`.mat` or `.dat`) is the one the header names, in the same folder.
 */
export async function readEcg12Record(path: string): Promise<Ecg12Record> {
  if (typeof path !== 'string' || path === '') {
    throw new SignalInputError('INVALID_ARGUMENT', 'path', 'record path is empty');
  }
  const headerPath = path.endsWith('.hea') ? path : `${path}.hea`;
  const headerText = await readFile(headerPath, 'utf8');
  const fileName = parseWfdbHeader(headerText).signals[0]?.fileName;
  if (fileName === undefined)
    throw new SignalInputError('INVALID_HEADER', 'header', 'header lists no signals');
  const bytes = await readFile(join(dirname(headerPath), fileName));
  return decodeEcg12Record(
    headerText,
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  );
}
