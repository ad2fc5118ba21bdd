/**
 * Cuts the small WFDB excerpts committed under src/io/fixtures from the full recordings in
 * ../shared/data. The excerpts are byte-exact prefixes of the original files: the first
 * `seconds` of the data file, the annotation file up to the last annotation before the cut
 * (modifiers included) plus the end-of-file word, and the header with its sample count and
 * checksums recomputed. Run: npx tsx packages/signal/bench/cut-fixtures.ts /work/shared/data
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesForSamples } from '../src/io/decode-wfdb-samples.js';
import { parseWfdbHeader } from '../src/io/parse-wfdb-header.js';
import { decodeWfdbRecord } from '../src/io/read-wfdb-record.js';

const dataDir = process.argv[2] ?? '/work/shared/data';
const outDir = join(import.meta.dirname, '../src/io/fixtures');

const cuts: { dir: string; name: string; seconds: number; crlf: boolean }[] = [
  { dir: 'mitdb', name: '119', seconds: 20, crlf: true },
  { dir: 'mitdb', name: '208', seconds: 20, crlf: false },
  { dir: 'mitdb', name: '203', seconds: 20, crlf: false },
  { dir: 'cpsc2021', name: 'data_101_6', seconds: 10, crlf: false },
];

/** Byte length of the annotation stream holding every annotation with sample < end. */
function annotationPrefix(bytes: Uint8Array, end: number): number {
  let pos = 0;
  let time = 0;
  let keep = 0;
  const word = (at: number): number => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
  while (pos + 1 < bytes.length) {
    const w = word(pos);
    if (w === 0) break;
    const a = w >> 10;
    const i = w & 0x3ff;
    if (a === 59) {
      time += (word(pos + 2) << 16) | word(pos + 4) | 0;
      pos += 6;
    } else if (a === 63) {
      pos += 2 + i + (i & 1);
      if (time < end) keep = pos;
    } else if (a >= 60) {
      pos += 2;
      if (time < end) keep = pos;
    } else {
      time += i;
      pos += 2;
      if (time >= end) break;
      keep = pos;
    }
  }
  return keep;
}

for (const cut of cuts) {
  const base = join(dataDir, cut.dir, cut.name);
  const headerText = readFileSync(`${base}.hea`, 'utf8');
  const header = parseWfdbHeader(headerText);
  const n = Math.round(cut.seconds * header.fs);
  const spec = header.signals[0];
  if (spec === undefined) throw new Error('no signals');
  const dat = readFileSync(join(dataDir, cut.dir, spec.fileName));
  const datOut = dat.subarray(0, bytesForSamples(spec.format, n * header.nSignals));
  const record = decodeWfdbRecord(
    { ...header, nSamples: n },
    new Map([[spec.fileName, new Uint8Array(datOut)]]),
  );
  const lines = headerText.split(/\r?\n/).filter((l) => l !== '');
  const recordFields = (lines[0] ?? '').split(/\s+/);
  recordFields[3] = String(n);
  const out = [recordFields.join(' ')];
  header.signals.forEach((_, s) => {
    const fields = (lines[1 + s] ?? '').split(/\s+/);
    let sum = 0;
    for (const v of record.signals[s]?.digital ?? []) sum += v;
    fields[6] = String((((sum % 65536) + 65536 + 32768) % 65536) - 32768);
    out.push(fields.join(' '));
  });
  out.push(...lines.slice(1 + header.nSignals));
  out.push(`# excerpt: first ${cut.seconds} s of ${cut.dir}/${cut.name} (see NOTICE)`);
  const eol = cut.crlf ? '\r\n' : '\n';
  writeFileSync(join(outDir, `${cut.name}.hea`), out.join(eol) + eol);
  writeFileSync(join(outDir, spec.fileName), datOut);
  const atr = readFileSync(`${base}.atr`);
  const keep = annotationPrefix(new Uint8Array(atr), n);
  writeFileSync(
    join(outDir, `${cut.name}.atr`),
    Buffer.concat([atr.subarray(0, keep), Buffer.from([0, 0])]),
  );
  console.log(cut.name, n, 'samples', datOut.length, 'data bytes', keep + 2, 'annotation bytes');
}
