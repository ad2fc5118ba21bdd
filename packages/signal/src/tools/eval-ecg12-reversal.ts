/**
 * `npm run eval:ecg12-reversal -- <dir> [--list]`
 *
 * Limb electrode reversal on real recordings: every 12-lead record of <dir> (`.hea` + `.mat` or
 * `.dat`: the CinC 2021 sample ../shared/data/cinc2021, LUDB's `data` folder) is interpreted
 * (`interpretEcg12`) as recorded and in three copies with two limb electrodes interchanged
 * (`swapEcg12LimbElectrodes`: LA/RA, LA/LL, RA/LL, the exact lead relations). Prints, per copy,
 * how many records get a `LIMB_REVERSAL` finding and of which interchange: on the originals the
 * false-flag rate, on the copies the sensitivity. `--list` prints each record's scores. Records
 * `interpretEcg12` refuses (fewer than 2 measurable beats) are counted apart. Nothing is tuned
 * here.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { detectEcg12LimbReversal } from '../ecg12/detect-ecg12-limb-reversal.js';
import { findFlatEcg12Leads } from '../ecg12/find-flat-ecg12-leads.js';
import { interpretEcg12 } from '../ecg12/interpret-ecg12.js';
import { ECG12_LIMB_SWAPS, swapEcg12LimbElectrodes } from '../ecg12/swap-ecg12-limb-electrodes.js';
import { readEcg12Record } from '../io/index.js';

/** Paths on the command line are relative to where npm was run (npm -w runs in the package folder). */
const resolve = (path: string): string => resolvePath(process.env.INIT_CWD ?? process.cwd(), path);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { list: { type: 'boolean', default: false } },
});
const dir = positionals[0];
if (dir === undefined) {
  console.error('usage: npm run eval:ecg12-reversal -- <dir with .hea records> [--list]');
  process.exit(2);
}
const names = (await readdir(resolve(dir)))
  .filter((f) => f.endsWith('.hea'))
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
const copies = ['original', ...ECG12_LIMB_SWAPS] as const;
type Copy = (typeof copies)[number];
const tally = new Map<Copy, { n: number; refused: number; calls: Map<string, number> }>(
  copies.map((c) => [c, { n: 0, refused: 0, calls: new Map() }]),
);
const flaggedOriginals: string[] = [];
for (const file of names) {
  const record = await readEcg12Record(join(resolve(dir), file));
  const fs = record.samplingRateHz;
  const row: string[] = [file.replace(/\.hea$/, '')];
  for (const copy of copies) {
    const leads =
      copy === 'original'
        ? record.leadsMv
        : swapEcg12LimbElectrodes(record.leadsMv, { samplingRateHz: fs, swap: copy });
    const t = tally.get(copy);
    if (t === undefined) continue;
    t.n++;
    let call = 'none';
    try {
      const result = interpretEcg12(leads, { samplingRateHz: fs });
      const finding = result.findings.find((f) => f.criterion === 'LIMB_REVERSAL');
      call =
        finding === undefined ? 'none' : (/(LA\/RA|RA\/LL|LA\/LL)/.exec(finding.text)?.[1] ?? '?');
      if (values.list) {
        const d = detectEcg12LimbReversal(leads, {
          samplingRateHz: fs,
          measurements: result.measurements,
          flatLeads: findFlatEcg12Leads(leads, { samplingRateHz: fs }),
        });
        row.push(
          `${copy}: ${call} (recorded ${d.scores.asRecorded.toFixed(2)}, LA/RA ${d.scores['LA/RA'].toFixed(2)}, RA/LL ${d.scores['RA/LL'].toFixed(2)}, cos I·V6 ${d.qrsCosineIV6.toFixed(2)})`,
        );
      }
    } catch {
      t.refused++;
      call = 'refused';
      row.push(`${copy}: refused`);
    }
    if (call !== 'refused') t.calls.set(call, (t.calls.get(call) ?? 0) + 1);
    if (copy === 'original' && call !== 'none' && call !== 'refused')
      flaggedOriginals.push(row[0] ?? '');
  }
  if (values.list) console.log(row.join(' | '));
}
const pct = (k: number, n: number): string =>
  `${k}/${n} (${((100 * k) / Math.max(1, n)).toFixed(1)} %)`;
console.log(`${names.length} records of ${dir}`);
for (const copy of copies) {
  const t = tally.get(copy);
  if (t === undefined) continue;
  const scored = t.n - t.refused;
  const flagged = [...t.calls].filter(([c]) => c !== 'none').reduce((s, [, k]) => s + k, 0);
  const right = copy === 'original' ? 0 : (t.calls.get(copy) ?? 0);
  const calls = [...t.calls].map(([c, k]) => `${c} ${k}`).join(', ');
  console.log(
    copy === 'original'
      ? `original: flagged ${pct(flagged, scored)} (false flags) [${calls}]${t.refused ? `, refused ${t.refused}` : ''}${flaggedOriginals.length ? `: ${flaggedOriginals.join(' ')}` : ''}`
      : `${copy} swapped: called ${copy} ${pct(right, scored)} (sensitivity), any reversal ${pct(flagged, scored)} [${calls}]${t.refused ? `, refused ${t.refused}` : ''}`,
  );
}
