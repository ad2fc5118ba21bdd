/**
 * HRV from detected beats next to HRV from the reference beats, per MIT-BIH record.
 *
 * For every record in the folder (`NNN.hea` with `NNN.atr`), on channel 0:
 * - `json`: the derived reference values of `mitdb_reference_hrv.json` (next to the folder), when
 *   present: NN = interval kept only when both beats are labelled `N`, SDNN with n−1;
 * - `ref`: our `hrvReport` on the reference beats with the json's NN definition (labels, nothing
 *   else excluded) — checks our definitions against the json;
 * - `ref20`: our `hrvReport` on the reference beats with the label-free 20 % rule — what perfect
 *   detection would give without beat labels;
 * - `det`: `ecgHrv` (the `vigil-signal ecg hrv` code path): detected beats, 20 % rule;
 * - `det+cls`: the same with `--classify`: NN also needs both beats classified `N` by
 *   `classifyBeats`. Its model was trained on these DS1 records, so this column is in-sample
 *   (optimistic) here.
 * Records without `N` beats (paced, bundle-branch block) have no NN in the json; they are
 * compared on all RR intervals (`rr_all`).
 *
 * Run: npm run bench:hrv -- <mitdb dir> [--json <reference json>]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ecgHrv } from '../src/cli/commands/ecg-hrv.js';
import { isBeatSymbol } from '../src/ecg/beat-symbols.js';
import { hrvReport, type HrvReport } from '../src/hrv/hrv-report.js';
import type { HrvTimeDomain } from '../src/hrv/hrv-types.js';
import { parseWfdbHeader, readAnnotations } from '../src/io/index.js';

interface JsonStats {
  n: number;
  mean_ms: number;
  mean_hr_bpm: number;
  sdnn_ms: number;
  rmssd_ms: number;
  pnn50_tf: number;
}
interface JsonRecord {
  rr_all: JsonStats;
  nn: JsonStats | null;
}

const SHOWN = ['meanHr', 'sdnn', 'rmssd', 'pnn50'] as const;
type Shown = (typeof SHOWN)[number];
type Row = Record<Shown, number> | null;

const fromJson = (s: JsonStats | null | undefined): Row =>
  s === null || s === undefined
    ? null
    : { meanHr: s.mean_hr_bpm, sdnn: s.sdnn_ms, rmssd: s.rmssd_ms, pnn50: s.pnn50_tf };
const fromOurs = (t: HrvTimeDomain | null): Row =>
  t === null ? null : { meanHr: t.hrMeanBpm, sdnn: t.sdnnMs, rmssd: t.rmssdMs, pnn50: t.pnn50 };

function fmt(row: Row): string {
  if (row === null) return '      —      —      —     —';
  return `${row.meanHr.toFixed(1).padStart(6)} ${row.sdnn.toFixed(1).padStart(6)} ${row.rmssd.toFixed(1).padStart(6)} ${row.pnn50.toFixed(1).padStart(5)}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const base = process.env.INIT_CWD ?? process.cwd();
  const dirArg = args.find((a) => !a.startsWith('--'));
  if (dirArg === undefined) {
    console.error('usage: npm run bench:hrv -- <mitdb dir> [--json <mitdb_reference_hrv.json>]');
    process.exit(2);
  }
  const dir = resolve(base, dirArg);
  const jsonIndex = args.indexOf('--json');
  const jsonPath =
    jsonIndex >= 0 && args[jsonIndex + 1] !== undefined
      ? resolve(base, args[jsonIndex + 1] ?? '')
      : join(dirname(dir), `${basename(dir)}_reference_hrv.json`);
  const reference: Record<string, JsonRecord> = existsSync(jsonPath)
    ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as { records: Record<string, JsonRecord> })
        .records
    : {};
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.hea') && existsSync(join(dir, f.replace(/\.hea$/, '.atr'))))
    .map((f) => f.replace(/\.hea$/, ''))
    .sort();

  const header = 'meanHR   SDNN  RMSSD pNN50';
  console.log(
    `HRV per record (channel 0). Columns: mean HR bpm, SDNN ms, RMSSD ms, pNN50 %.\n` +
      `record set  | json (${basename(jsonPath)}) | ref: reference beats, json NN rule | ref20: reference beats, 20 % rule | det: detected beats, 20 % rule | det+cls: det + classifyBeats labels (in-sample) | det LF/HF\n` +
      `           ${header}   ${header}   ${header}   ${header}   ${header}`,
  );
  const errors: Record<'ref' | 'ref20' | 'det' | 'detCls', Record<Shown, number[]>> = {
    ref: { meanHr: [], sdnn: [], rmssd: [], pnn50: [] },
    ref20: { meanHr: [], sdnn: [], rmssd: [], pnn50: [] },
    det: { meanHr: [], sdnn: [], rmssd: [], pnn50: [] },
    detCls: { meanHr: [], sdnn: [], rmssd: [], pnn50: [] },
  };
  const detVsRef20: Record<Shown, number[]> = { meanHr: [], sdnn: [], rmssd: [], pnn50: [] };
  for (const name of names) {
    const path = join(dir, name);
    const beats = (await readAnnotations(path, 'atr')).filter((a) => isBeatSymbol(a.symbol));
    const peaks = beats.map((a) => a.sample);
    const fs = parseWfdbHeader(readFileSync(`${path}.hea`, 'utf8')).fs;
    const json = reference[name];
    const hasNn = json?.nn !== null && json?.nn !== undefined;
    // The json's definitions: NN between two `N` beats, nothing else excluded; or every interval.
    const ref: HrvReport = hrvReport(peaks, fs, {
      beatIsNormal: hasNn ? beats.map((a) => a.symbol === 'N') : undefined,
      maxRelativeDeviation: null,
      minRrMs: 1e-9,
      maxRrMs: 1e9,
    });
    const ref20 = hrvReport(peaks, fs);
    const det = await ecgHrv(path, 0);
    const detCls = await ecgHrv(path, 0, { classify: true });
    const jsonRow = fromJson(hasNn ? json.nn : json?.rr_all);
    const refRow = fromOurs(hasNn ? ref.timeDomain : ref.rrAll);
    const ref20Row = fromOurs(ref20.timeDomain);
    const detRow = fromOurs(det.timeDomain);
    const detClsRow = fromOurs(detCls.timeDomain);
    for (const key of SHOWN) {
      if (jsonRow === null) continue;
      if (refRow !== null) errors.ref[key].push(Math.abs(refRow[key] - jsonRow[key]));
      // NN from either rule is only comparable with the json's NN, not with its all-RR values.
      if (!hasNn) continue;
      if (ref20Row !== null) errors.ref20[key].push(Math.abs(ref20Row[key] - jsonRow[key]));
      if (detRow !== null) errors.det[key].push(Math.abs(detRow[key] - jsonRow[key]));
      if (detClsRow !== null) errors.detCls[key].push(Math.abs(detClsRow[key] - jsonRow[key]));
      if (detRow !== null && ref20Row !== null) {
        detVsRef20[key].push(Math.abs(detRow[key] - ref20Row[key]));
      }
    }
    const lfhf = det.frequencyDomain?.lfHfRatio;
    console.log(
      `${name.padEnd(6)} ${hasNn ? 'NN ' : 'all'}  ${fmt(jsonRow)}   ${fmt(refRow)}   ${fmt(ref20Row)}   ${fmt(detRow)}   ${fmt(detClsRow)}   ${lfhf === undefined ? '—' : lfhf.toFixed(2)}`,
    );
  }
  const median = (v: number[]): number => {
    const s = v.slice().sort((a, b) => a - b);
    return s.length === 0 ? NaN : ((s[(s.length - 1) >> 1] ?? 0) + (s[s.length >> 1] ?? 0)) / 2;
  };
  const summary = (label: string, e: Record<Shown, number[]>): string =>
    `${label.padEnd(16)} ` +
    SHOWN.map((k) => `${k} ${median(e[k]).toFixed(2)} / ${Math.max(...e[k], 0).toFixed(2)}`).join(
      '   ',
    );
  console.log(
    '\nabsolute differences, median / max over records (bpm, ms, ms, percentage points);\n' +
      `ref vs json over all records, the others over the ${errors.det.meanHr.length} with NN in the json:`,
  );
  console.log(summary('ref     vs json', errors.ref));
  console.log(summary('ref20   vs json', errors.ref20));
  console.log(summary('det     vs json', errors.det));
  console.log(summary('det+cls vs json', errors.detCls));
  console.log(summary('det     vs ref20', detVsRef20));
}

await main();
