/**
 * `npm run eval:beats -- <dir> [--model file.json] [--fs Hz]`
 *
 * Scores the shipped beat model (or --model) on every WFDB record with an `.atr` file in <dir>:
 * per record and gross, at the reference beat positions and end to end (beats found by
 * `detectQrs`, matched to the reference within 150 ms): AAMI confusion matrix, per-class Se, +P
 * and false-positive rate. Records the model was trained on are marked: their figures are
 * in-sample. Inter-patient figures on DS1 come from `npm run train:beats` (leave-one-record-out).
 * `--fs` resamples every record (band-limited, `resample`) and scales its reference positions
 * before scoring: the same beats at another device's rate, e.g. 250 Hz (the simulator's and most
 * ESP32 front ends') or 200 Hz (CPSC 2021), which shows whether any part of the classifier
 * depends on the rate it was trained at.
 */
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { classifyBeats } from '../arrhythmia/classify-beats.js';
import { loadBeatModel } from '../arrhythmia/load-beat-model.js';
import { detectQrs } from '../ecg/detect-qrs.js';
import { resample } from '../filters/resample.js';
import { loadRecordBeats } from './beat-dataset.js';
import { addScore, emptyScore, formatScore, scoreMatched } from './beat-eval.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string' }, fs: { type: 'string' } },
});
// npm runs workspace scripts in the package folder: resolve paths against the caller's cwd.
const dirArg = positionals[0];
const dir =
  dirArg === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), dirArg);
if (dir === undefined) {
  console.error('usage: eval-beats <dir> [--model file.json] [--fs Hz]');
  process.exit(2);
}
const fsOut = values.fs === undefined ? null : Number(values.fs);
if (fsOut !== null && !(Number.isFinite(fsOut) && fsOut >= 100 && fsOut <= 1000)) {
  console.error('--fs must be a sampling rate in Hz from 100 to 1000');
  process.exit(2);
}
const model =
  values.model === undefined
    ? loadBeatModel()
    : loadBeatModel(JSON.parse(await readFile(values.model, 'utf8')) as unknown);
const trained = new Set(
  Array.isArray(model.training.records) ? (model.training.records as string[]) : [],
);
const names = (await readdir(dir))
  .filter((f) => f.endsWith('.atr'))
  .map((f) => f.slice(0, -4))
  .sort();
const atRef = emptyScore();
const endToEnd = emptyScore();
let inSample = 0;
console.log(
  'record  lead   in-sample  ref-pos: VEB tp/ref fp | SVEB tp/ref fp   detected: VEB tp/ref fp | SVEB tp/ref fp',
);
for (const name of names) {
  const loaded = await loadRecordBeats(dir, name);
  const r =
    fsOut === null || fsOut === loaded.fs
      ? loaded
      : {
          ...loaded,
          fs: fsOut,
          ecgMv: resample(loaded.ecgMv, loaded.fs, fsOut),
          peaks: Int32Array.from(loaded.peaks, (p) => Math.round((p * fsOut) / loaded.fs)),
        };
  const a = scoreMatched(
    r.peaks,
    r.labels,
    r.peaks,
    classifyBeats(r.ecgMv, r.fs, r.peaks, { model }),
    r.fs,
  );
  const det = detectQrs(r.ecgMv, { fs: r.fs });
  const b = scoreMatched(
    r.peaks,
    r.labels,
    det,
    classifyBeats(r.ecgMv, r.fs, det, { model }),
    r.fs,
  );
  addScore(atRef, a);
  addScore(endToEnd, b);
  if (trained.has(name)) inSample++;
  const brief = (s: typeof a, k: number): string => {
    const tp = s.confusion[k]?.[k] ?? 0;
    const ref = (s.confusion[k] ?? []).reduce((p, v) => p + v, 0) + (s.missed[k] ?? 0);
    let fp = s.extra[k] ?? 0;
    for (let q = 0; q < 4; q++) if (q !== k) fp += s.confusion[q]?.[k] ?? 0;
    return `${tp}/${ref} ${fp}`;
  };
  console.log(
    `${name.padEnd(7)} ${r.lead.padEnd(6)} ${(trained.has(name) ? 'yes' : 'no').padEnd(9)} ${brief(a, 2).padStart(14)} | ${brief(a, 1).padEnd(14)} ${brief(b, 2).padStart(16)} | ${brief(b, 1)}`,
  );
}
if (inSample > 0) {
  console.log(
    `\nNOTE: ${inSample} of ${names.length} records were in the model's training set: these figures are in-sample.` +
      ' Inter-patient figures: npm run train:beats (leave-one-record-out).',
  );
}
console.log(
  `\n${formatScore(atRef, `shipped model, beats at the reference positions (${names.length} records)`)}`,
);
console.log(
  `\n${formatScore(endToEnd, 'shipped model, end to end: detectQrs beats matched within 150 ms')}`,
);
