/**
 * Checks the WFDB readers on every record of one or more folders:
 * `npx tsx --conditions vigil-source packages/signal/bench/check-wfdb.ts ../shared/data/mitdb ../shared/data/cpsc2021`
 * For each record it verifies that the decoded samples reproduce the header's checksums and
 * initial values, and, when `<data>/mitdb_reference_counts.json` (next to the folder) lists the
 * record, that the beat annotations match its counts by label. Exits 1 on any mismatch.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isBeatSymbol } from '../src/ecg/beat-symbols.js';
import { readAnnotations } from '../src/io/read-annotations.js';
import { readWfdbRecord } from '../src/io/read-wfdb-record.js';

interface ReferenceCounts {
  records: Record<string, { beats: number; beat_types: Record<string, number> }>;
}

let failures = 0;
for (const arg of process.argv.slice(2)) {
  const dir = resolve(process.env.INIT_CWD ?? process.cwd(), arg);
  const countsPath = join(dirname(dir), 'mitdb_reference_counts.json');
  const counts = existsSync(countsPath)
    ? (JSON.parse(readFileSync(countsPath, 'utf8')) as ReferenceCounts).records
    : {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.hea'))
    .sort()) {
    const path = join(dir, file.slice(0, -4));
    const record = await readWfdbRecord(path);
    const problems: string[] = [];
    record.header.signals.forEach((spec, i) => {
      const digital = record.signals[i]?.digital ?? new Int32Array(0);
      let sum = 0;
      for (const v of digital) sum += v;
      const checksum = ((((sum % 65536) + 65536 + 32768) % 65536) - 32768 + 65536) % 65536;
      if (spec.checksum !== null && checksum !== (spec.checksum + 65536) % 65536) {
        problems.push(`signal ${i} checksum`);
      }
      if (spec.initialValue !== null && digital[0] !== spec.initialValue) {
        problems.push(`signal ${i} initial value`);
      }
    });
    const beats = existsSync(`${path}.atr`)
      ? (await readAnnotations(path)).filter((a) => isBeatSymbol(a.symbol))
      : [];
    const expected = counts[record.name];
    if (expected !== undefined) {
      const byLabel: Record<string, number> = {};
      for (const b of beats) byLabel[b.symbol] = (byLabel[b.symbol] ?? 0) + 1;
      const same = Object.entries(expected.beat_types).every(([k, v]) => byLabel[k] === v);
      if (beats.length !== expected.beats || !same) problems.push('beat counts');
    }
    failures += problems.length;
    console.log(
      `${record.name.padEnd(12)} ${record.fs} Hz ${record.nSamples} samples × ${record.signals.length}, ` +
        `${beats.length} beats: ${problems.length === 0 ? 'ok' : problems.join(', ')}` +
        (expected === undefined ? '' : ' (counts checked)'),
    );
  }
}
process.exitCode = failures === 0 ? 0 : 1;
