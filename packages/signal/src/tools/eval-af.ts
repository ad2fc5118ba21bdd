/**
 * `npm run eval:af -- <dir> [<dir> ...] [--annotations] [--af-window 32] [--af-hysteresis 8]`
 *
 * Atrial fibrillation episode detection against the rhythm annotations of every WFDB record in
 * <dir> (MIT-BIH `(AFIB`/`(AFL` rhythm changes; CPSC 2021 `(AFIB`/`(AFL`/`(N`). Beats come from
 * `detectQrs` (end to end) or, with --annotations, from the reference beat annotations. Prints
 * per record and gross: episode sensitivity (a reference episode counts as found when a detected
 * AF episode overlaps it), episode positive predictivity, AF-time sensitivity and positive
 * predictivity, and the share of non-AF time called AF.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeArrhythmia } from '../arrhythmia/analyze-arrhythmia.js';
import { detectQrs } from '../ecg/detect-qrs.js';
import { isBeatSymbol } from '../ecg/beat-symbols.js';
import { readAnnotations, readWfdbRecord } from '../io/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    annotations: { type: 'boolean', default: false },
    'af-window': { type: 'string' },
    'af-hysteresis': { type: 'string' },
  },
});
// npm runs workspace scripts in the package folder: resolve paths against the caller's cwd.
const dirs = positionals.map((d) => resolve(process.env.INIT_CWD ?? process.cwd(), d));
if (dirs.length === 0) {
  console.error('usage: eval-af <dir> [<dir> ...] [--annotations]');
  process.exit(2);
}

type Interval = [number, number];

function overlap(a: Interval[], b: Interval[]): number {
  let t = 0;
  for (const [s1, e1] of a)
    for (const [s2, e2] of b) t += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  return t;
}

const gross = {
  ref: 0,
  found: 0,
  ref30: 0,
  found30: 0,
  det: 0,
  detTrue: 0,
  afT: 0,
  tpT: 0,
  detT: 0,
  nonAfT: 0,
  fpT: 0,
};
const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '-');
console.log(`beats from ${values.annotations ? 'reference annotations' : 'detectQrs'}`);
console.log(
  'record        min  lead  refEp found  detEp true   AF min  AF-time Se  AF-time +P  non-AF called AF  withheld',
);
for (const dir of dirs) {
  const names = (await readdir(dir))
    .filter((f) => f.endsWith('.atr'))
    .map((f) => f.slice(0, -4))
    .sort();
  for (const name of names) {
    const path = join(dir, name);
    const rec = await readWfdbRecord(path);
    const anns = await readAnnotations(path);
    const lead = Math.max(
      0,
      rec.signals.findIndex((s) => ['MLII', 'II'].includes(s.description.toUpperCase())),
    );
    const ecg = rec.signals[lead]?.physical ?? new Float64Array(0);
    const end = rec.nSamples;
    const ref: Interval[] = [];
    let afStart: number | null = null;
    for (const a of anns) {
      const aux = a.aux.replace(/\0/g, '').trim();
      if (!aux.startsWith('(')) continue;
      const isAf = aux === '(AFIB' || aux === '(AFL';
      if (isAf && afStart === null) afStart = a.sample;
      else if (!isAf && afStart !== null) {
        ref.push([afStart, a.sample]);
        afStart = null;
      }
    }
    if (afStart !== null) ref.push([afStart, end]);
    const peaks = values.annotations
      ? Int32Array.from(
          anns.filter((a) => isBeatSymbol(a.symbol)),
          (a) => a.sample,
        )
      : detectQrs(ecg, { fs: rec.fs });
    const result = analyzeArrhythmia(ecg, rec.fs, peaks, {
      ...(values['af-window'] === undefined ? {} : { afWindowBeats: Number(values['af-window']) }),
      ...(values['af-hysteresis'] === undefined
        ? {}
        : { afHysteresisBeats: Number(values['af-hysteresis']) }),
    });
    const det: Interval[] = result.episodes
      .filter((e) => e.rhythm === 'AF')
      .map((e) => [e.start, e.end ?? e.start]);
    const found = ref.filter((r) => overlap([r], det) > 0).length;
    const long = ref.filter(([s, e]) => e - s >= 30 * rec.fs);
    const found30 = long.filter((r) => overlap([r], det) > 0).length;
    const detTrue = det.filter((d) => overlap([d], ref) > 0).length;
    const afT = ref.reduce((s, [a, b]) => s + b - a, 0);
    const detT = det.reduce((s, [a, b]) => s + b - a, 0);
    const tpT = overlap(ref, det);
    const nonAfT = end - afT;
    const fpT = detT - tpT;
    gross.ref += ref.length;
    gross.found += found;
    gross.ref30 += long.length;
    gross.found30 += found30;
    gross.det += det.length;
    gross.detTrue += detTrue;
    gross.afT += afT / rec.fs;
    gross.tpT += tpT / rec.fs;
    gross.detT += detT / rec.fs;
    gross.nonAfT += nonAfT / rec.fs;
    gross.fpT += fpT / rec.fs;
    console.log(
      `${name.padEnd(12)} ${(end / rec.fs / 60).toFixed(1).padStart(4)}  ${(rec.signals[lead]?.description ?? '').padEnd(5)} ${String(ref.length).padStart(5)} ${String(found).padStart(5)}  ${String(det.length).padStart(5)} ${String(detTrue).padStart(4)}  ${(afT / rec.fs / 60).toFixed(1).padStart(6)}  ${pct(tpT, afT).padStart(10)}  ${pct(tpT, detT).padStart(10)}  ${pct(fpT, nonAfT).padStart(17)}  ${result.withheld ?? ''}`,
    );
  }
}
console.log(
  `\ngross: AF episodes found ${gross.found}/${gross.ref} (Se ${pct(gross.found, gross.ref)}); ` +
    `episodes >= 30 s found ${gross.found30}/${gross.ref30} (Se ${pct(gross.found30, gross.ref30)}); ` +
    `detected episodes overlapping AF ${gross.detTrue}/${gross.det} (+P ${pct(gross.detTrue, gross.det)})`,
);
console.log(
  `gross: AF time ${(gross.afT / 60).toFixed(1)} min, AF-time Se ${pct(gross.tpT, gross.afT)}, ` +
    `AF-time +P ${pct(gross.tpT, gross.detT)}, non-AF time called AF ${pct(gross.fpT, gross.nonAfT)} ` +
    `(${(gross.fpT / 60).toFixed(1)} of ${(gross.nonAfT / 60).toFixed(1)} min)`,
);
