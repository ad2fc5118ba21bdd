/**
 * `npx tsx --conditions vigil-source packages/signal/bench/select-af-beats.ts ../shared/data/mitdb`
 *
 * What `selectAfBeats`' shape rule (QRS width ≥ 1.3 × the running template's, or QRS correlation
 * < 0.8) leaves out on labelled beats: every DS1 record's MLII beats at the reference positions,
 * scored as if the whole record were AF (so only the shape rule acts), counted by AAMI class.
 * The rule keeps ventricular beats out of the training-only N rows of `train:beats --af-beats`.
 */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DS1_RECORDS, loadRecordBeats } from '../src/tools/beat-dataset.js';
import { selectAfBeats } from '../src/tools/select-af-beats.js';

const dir = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  process.argv[2] ?? '../shared/data/mitdb',
);
const present = new Set(
  (await readdir(dir)).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)),
);
const names = ['N', 'SVEB', 'VEB', 'F'];
const total = [0, 0, 0, 0];
const dropped = [0, 0, 0, 0];
for (const record of DS1_RECORDS.filter((r) => present.has(r))) {
  const r = await loadRecordBeats(dir, record);
  const n = r.ecgMv.length;
  const kept = selectAfBeats(r.peaks, r.features, r.nFeatures, [[0, n]], { fs: r.fs, length: n });
  r.labels.forEach((y, i) => {
    if (y > 3) return;
    total[y] = (total[y] ?? 0) + 1;
    if (kept[i] !== 0) dropped[y] = (dropped[y] ?? 0) + 1;
  });
}
for (let c = 0; c < 4; c++) {
  const t = total[c] ?? 0;
  const d = dropped[c] ?? 0;
  console.log(
    `${names[c] ?? ''}: ${d} of ${t} left out (${t > 0 ? ((100 * d) / t).toFixed(1) : '-'} %)`,
  );
}
