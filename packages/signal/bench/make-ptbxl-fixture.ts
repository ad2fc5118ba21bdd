/**
 * `npx tsx --conditions vigil-source bench/make-ptbxl-fixture.ts <cinc2021 dir> <out dir>`
 *
 * Builds the PTB-XL-shaped fixture of the 12-lead trainer's test from the ten PTB-XL records of
 * the PhysioNet/CinC Challenge 2021 sample (HR06000–HR06009 = PTB-XL ecg_id 6000–6009): the int16
 * samples of each `.mat` are written unchanged as a WFDB format-16 `.dat` under
 * `records500/06000/06000_hr.{hea,dat}` (same gains, baselines, checksums), and the two index
 * files are written with PTB-XL's columns from `ptbxl_labels_HR06000-HR06009.csv`. The folds are
 * assigned here (the ten records' real strat_fold values are not in the sample): 1–6 for six
 * records including the IRBBB one, 9 for one, 10 for three including the ST/T one.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMatlabV4 } from '../src/io/parse-matlab-v4.js';
import { parseCsv } from '../src/tools/parse-csv.js';

const [src, out] = process.argv.slice(2);
if (src === undefined || out === undefined) {
  console.error('usage: make-ptbxl-fixture.ts <cinc2021 dir> <out dir>');
  process.exit(2);
}
const folds: Record<number, number> = {
  6000: 1,
  6002: 2,
  6003: 3,
  6004: 4,
  6005: 5,
  6006: 6,
  6007: 9,
  6001: 10,
  6008: 10,
  6009: 10,
};
const labels = parseCsv(
  await readFile(join(src, 'ptbxl_labels_HR06000-HR06009.csv'), 'utf8'),
).slice(1);
const rows = ['ecg_id,patient_id,age,sex,scp_codes,strat_fold,filename_lr,filename_hr'];
for (const [record, ecgId, age, sex, scp] of labels) {
  const id = String(ecgId).padStart(5, '0');
  const folder = join(out, 'records500', id);
  await mkdir(folder, { recursive: true });
  const matrix = parseMatlabV4(new Uint8Array(await readFile(join(src, `${record}.mat`))));
  const dat = new Int16Array(matrix.data.length);
  dat.set(Array.from(matrix.data));
  await writeFile(join(folder, `${id}_hr.dat`), new Uint8Array(dat.buffer));
  const header = (await readFile(join(src, `${record}.hea`), 'utf8'))
    .split(/\r?\n/)
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line, i) =>
      i === 0 ? line.replace(/^\S+/, `${id}_hr`) : line.replace(/^\S+ 16x1\+24/, `${id}_hr.dat 16`),
    );
  await writeFile(join(folder, `${id}_hr.hea`), `${header.join('\n')}\n`);
  const quoted = `"${(scp ?? '').replace(/"/g, '""')}"`;
  rows.push(
    `${Number(ecgId)},${Number(ecgId)},${age},${sex},${quoted},${folds[Number(ecgId)] ?? 1},records100/${id}/${id}_lr,records500/${id}/${id}_hr`,
  );
}
await writeFile(join(out, 'ptbxl_database.csv'), `${rows.join('\n')}\n`);
// The statements the ten records use, with PTB-XL's diagnostic flags and classes.
await writeFile(
  join(out, 'scp_statements.csv'),
  [
    ',description,diagnostic,form,rhythm,diagnostic_class,diagnostic_subclass',
    'NORM,normal ECG,1.0,,,NORM,NORM',
    'NST_,non-specific ST changes,1.0,1.0,,STTC,NST_',
    'IRBBB,incomplete right bundle branch block,1.0,,,CD,IRBBB',
    'NT_,non-specific T-wave changes,,1.0,,,',
    'SR,sinus rhythm,,,1.0,,',
    'SBRAD,sinus bradycardia,,,1.0,,',
    'STACH,sinus tachycardia,,,1.0,,',
  ].join('\n') + '\n',
);
console.log(`wrote ${labels.length} records to ${out}`);
