/**
 * QRS delineation accuracy against the Lobachevsky University ECG Database (LUDB; Kalyakulina et
 * al., IEEE Access 2020;8:186181), whose per-lead annotation files (`N.i` … `N.v6`) mark each QRS
 * as `(` onset, `N` peak, `)` offset. Every annotated QRS of every lead is delineated from its
 * annotated peak with `qrsDelineate`; per lead and over all leads it prints the mean absolute
 * error and the bias (measured − reference) of onset, offset and duration and the share of
 * complexes left undetermined, then the same by the record's heart rate (from the annotated peaks
 * of lead II: < 60, 60–100, > 100 bpm), over all leads and in V1.
 *
 * Records are split by number, a rule fixed before any result was seen: even = development (every
 * choice of the delineator is made on these), odd = test (held out, scored after the choice),
 * except record 1, which chose the earlier thresholds and so belongs to development.
 * `--split dev` prints the development block only (use it while developing), `--split test` the
 * test block only; the default prints both. `--list` adds one line per record and lead.
 * Without record names every record of the folder is scored.
 *
 * With `--qtdb <dir>` it also scores the QT Database's manual QRS marks (see `qtdbAccuracy`).
 *
 * With `--mitdb <dir>` it also prints, per MIT-BIH record (channel 0, reference beat positions),
 * the median QRS duration by beat label: there is no delineation reference there, but ventricular
 * (V) and bundle-branch-block (L, R) beats should come out wider than normal (N) ones.
 *
 * Run: npm run bench:delineate -w @vigil/signal -- <ludb dir> [records…] [--split dev|test]
 *      [--list] [--qtdb <qtdb dir>] [--mitdb <mitdb dir>]
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { qrsDelineate } from '../src/ecg/qrs-delineate.js';
import { readAnnotations, readWfdbRecord } from '../src/io/index.js';

const LEADS = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'];
const BANDS = ['<60', '60-100', '>100'] as const;
type Band = (typeof BANDS)[number];

interface Errors {
  total: number;
  n: number;
  onset: number;
  offset: number;
  duration: number;
  onsetBias: number;
  offsetBias: number;
  durationBias: number;
}

const empty = (): Errors => ({
  total: 0,
  n: 0,
  onset: 0,
  offset: 0,
  duration: 0,
  onsetBias: 0,
  offsetBias: 0,
  durationBias: 0,
});

/**
 * Counts one reference complex in `e`, and its errors (ms, measured − reference) when it was
 * delineated (onset and offset ≥ 0; −1 is undetermined).
 */
function score(
  e: Errors,
  on: number,
  off: number,
  ref: { on: number; off: number },
  ms: number,
): void {
  e.total++;
  if (on < 0 || off < 0) return;
  e.n++;
  e.onset += Math.abs(on - ref.on) * ms;
  e.offset += Math.abs(off - ref.off) * ms;
  e.duration += Math.abs(off - on - (ref.off - ref.on)) * ms;
  e.onsetBias += (on - ref.on) * ms;
  e.offsetBias += (off - ref.off) * ms;
  e.durationBias += (off - on - (ref.off - ref.on)) * ms;
}

function add(into: Errors, e: Errors): void {
  for (const key of Object.keys(e) as (keyof Errors)[]) into[key] += e[key];
}

/** `n  MAE on/off/dur  bias on/off/dur  % undetermined` of a tally. */
function row(e: Errors): string {
  const f = (v: number): string => (v / Math.max(1, e.n)).toFixed(1).padStart(6);
  const und = ((100 * (e.total - e.n)) / Math.max(1, e.total)).toFixed(1).padStart(5);
  return `${String(e.n).padStart(5)} ${f(e.onset)} ${f(e.offset)} ${f(e.duration)}   ${f(e.onsetBias)} ${f(e.offsetBias)} ${f(e.durationBias)}  ${und}`;
}

const HEAD = '    n  MAE on   off   dur (ms)  bias on   off   dur  % und';

interface Tally {
  records: number;
  byLead: Map<string, Errors>;
  byBand: Map<Band, { records: number; all: Errors; v1: Errors }>;
}

const newTally = (): Tally => ({
  records: 0,
  byLead: new Map(LEADS.map((l) => [l, empty()])),
  byBand: new Map(BANDS.map((b) => [b, { records: 0, all: empty(), v1: empty() }])),
});

/** Heart rate of a record from the annotated QRS peaks of one lead (median RR), bpm. */
function heartRateBpm(peaks: number[], fs: number): number {
  const rr = peaks
    .slice(1)
    .map((p, i) => p - (peaks[i] ?? 0))
    .sort((a, b) => a - b);
  const median = rr[rr.length >> 1];
  return median === undefined ? NaN : (60 * fs) / median;
}

async function scoreRecord(
  path: string,
  name: string,
  tally: Tally,
  list: string[] | null,
): Promise<void> {
  const record = await readWfdbRecord(path);
  const ms = 1000 / record.fs;
  const perLead: [string, Errors][] = [];
  let rate = NaN;
  for (const [index, lead] of LEADS.entries()) {
    const signal = record.signals[index];
    if (signal === undefined || !existsSync(`${path}.${lead}`)) continue;
    const marks = await readAnnotations(path, lead);
    const truth: { on: number; peak: number; off: number }[] = [];
    for (let i = 1; i + 1 < marks.length; i++) {
      const [prev, cur, next] = [marks[i - 1], marks[i], marks[i + 1]];
      if (cur?.symbol === 'N' && prev?.symbol === '(' && next?.symbol === ')') {
        truth.push({ on: prev.sample, peak: cur.sample, off: next.sample });
      }
    }
    if (lead === 'ii')
      rate = heartRateBpm(
        marks.filter((m) => m.symbol === 'N').map((m) => m.sample),
        record.fs,
      );
    const d = qrsDelineate(
      signal.physical,
      record.fs,
      truth.map((t) => t.peak),
    );
    const e = empty();
    truth.forEach((t, i) => {
      score(e, d.onset[i] ?? -1, d.offset[i] ?? -1, t, ms);
    });
    perLead.push([lead, e]);
  }
  const band: Band = !(rate >= 60) ? '<60' : rate <= 100 ? '60-100' : '>100';
  const b = tally.byBand.get(band);
  tally.records++;
  if (b !== undefined) b.records++;
  for (const [lead, e] of perLead) {
    const l = tally.byLead.get(lead);
    if (l !== undefined) add(l, e);
    if (b !== undefined) {
      add(b.all, e);
      if (lead === 'v1') add(b.v1, e);
    }
    list?.push(`${name.padEnd(4)} ${lead.padEnd(4)} ${rate.toFixed(0).padStart(4)} ${row(e)}`);
  }
}

function printTally(title: string, tally: Tally): void {
  const lines = [`\n${title}: ${tally.records} records`, `lead ${HEAD}`];
  const all = empty();
  for (const [lead, e] of tally.byLead) {
    add(all, e);
    lines.push(`${(lead === 'v1' ? 'V1 *' : lead).padEnd(4)} ${row(e)}`);
  }
  lines.push(`all  ${row(all)}`);
  lines.push(`heart rate (records)   ${HEAD}`);
  for (const [band, b] of tally.byBand) {
    lines.push(`${`${band} bpm (${b.records})`.padEnd(16)} all ${row(b.all)}`);
    lines.push(`${''.padEnd(16)} V1  ${row(b.v1)}`);
  }
  console.log(lines.join('\n'));
}

async function mitdbPlausibility(dir: string): Promise<void> {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.hea') && existsSync(join(dir, f.replace(/\.hea$/, '.atr'))))
    .map((f) => f.replace(/\.hea$/, ''))
    .sort();
  console.log('\nMIT-BIH, channel 0: median QRS duration (ms) by reference label (n ≥ 20)');
  let vWider = 0;
  let both = 0;
  for (const name of names) {
    const path = join(dir, name);
    const record = await readWfdbRecord(path);
    const beats = (await readAnnotations(path, 'atr')).filter((a) => 'NLRV'.includes(a.symbol));
    const d = qrsDelineate(
      record.signals[0]?.physical ?? new Float64Array(0),
      record.fs,
      beats.map((a) => a.sample),
    );
    const byLabel = new Map<string, number[]>();
    let undetermined = 0;
    beats.forEach((a, i) => {
      const v = d.durationMs[i] ?? NaN;
      if (!Number.isFinite(v)) {
        undetermined++;
        return;
      }
      const list = byLabel.get(a.symbol) ?? [];
      list.push(v);
      byLabel.set(a.symbol, list);
    });
    const median = (v: number[]): number => v.slice().sort((a, b) => a - b)[v.length >> 1] ?? NaN;
    const parts = [...byLabel.entries()]
      .filter(([, v]) => v.length >= 20)
      .map(([label, v]) => `${label} ${median(v).toFixed(0)} (n=${v.length})`);
    const n = byLabel.get('N');
    const v = byLabel.get('V');
    if (n !== undefined && v !== undefined && n.length >= 20 && v.length >= 20) {
      both++;
      if (median(v) > median(n)) vWider++;
    }
    console.log(`${name}: ${parts.join(', ')}; undetermined ${undetermined} of ${beats.length}`);
  }
  console.log(`V wider than N (medians) in ${vWider} of ${both} records with both`);
}

/**
 * QT Database (Laguna et al., Computers in Cardiology 1997): the first cardiologist's manual
 * annotations (`.q1c`: `(` onset, `N` peak, `)` offset of 30 or more beats per record), made
 * looking at both leads, so each lead's result and the two-lead one (earliest onset, latest
 * offset) are scored against the same marks. Heart rate per beat from the RR to the neighbouring
 * annotated beat; every record of the folder that has a `.q1c` is scored.
 */
async function qtdbAccuracy(dir: string): Promise<void> {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.q1c') && existsSync(join(dir, f.replace(/\.q1c$/, '.hea'))))
    .map((f) => f.replace(/\.q1c$/, ''))
    .sort();
  const tallies = new Map<string, Errors>();
  const tally = (key: string): Errors => {
    const t = tallies.get(key) ?? empty();
    tallies.set(key, t);
    return t;
  };
  for (const name of names) {
    const path = join(dir, name);
    const record = await readWfdbRecord(path);
    const ms = 1000 / record.fs;
    const marks = await readAnnotations(path, 'q1c');
    const truth: { on: number; peak: number; off: number }[] = [];
    for (let i = 1; i + 1 < marks.length; i++) {
      const [prev, cur, next] = [marks[i - 1], marks[i], marks[i + 1]];
      if (cur?.symbol === 'N' && prev?.symbol === '(' && next?.symbol === ')') {
        truth.push({ on: prev.sample, peak: cur.sample, off: next.sample });
      }
    }
    const peaks = truth.map((t) => t.peak);
    const results = [0, 1].map((lead) =>
      qrsDelineate(record.signals[lead]?.physical ?? new Float64Array(0), record.fs, peaks),
    );
    truth.forEach((t, i) => {
      const rrBefore = i > 0 ? t.peak - (truth[i - 1]?.peak ?? 0) : Infinity;
      const rrAfter = i + 1 < truth.length ? (truth[i + 1]?.peak ?? 0) - t.peak : Infinity;
      const rr = Math.min(rrBefore, rrAfter) * ms;
      const rate = rr < 2000 ? 60000 / rr : NaN;
      const band: Band = !(rate >= 60) ? '<60' : rate <= 100 ? '60-100' : '>100';
      const limits = results.map((d) => [d.onset[i] ?? -1, d.offset[i] ?? -1] as const);
      const both = limits.every(([on, off]) => on >= 0 && off >= 0)
        ? ([Math.min(...limits.map((l) => l[0])), Math.max(...limits.map((l) => l[1]))] as const)
        : ([-1, -1] as const);
      for (const [key, [on, off]] of [
        ['lead 0', limits[0] ?? [-1, -1]],
        ['lead 1', limits[1] ?? [-1, -1]],
        ['2-lead', both],
      ] as const) {
        for (const e of [tally(`${key} all`), tally(`${key} ${band}`)]) score(e, on, off, t, ms);
      }
    });
  }
  const lines = [
    `\nQT Database, ${names.length} records, q1c (cardiologist 1) QRS marks, from the annotated peaks`,
    `              ${HEAD}`,
  ];
  for (const key of ['lead 0', 'lead 1', '2-lead']) {
    for (const band of ['all', ...BANDS]) {
      const e = tallies.get(`${key} ${band}`);
      if (e !== undefined) lines.push(`${key} ${band.padEnd(6)} ${row(e)}`);
    }
  }
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const base = process.env.INIT_CWD ?? process.cwd();
  const args = process.argv.slice(2);
  const take = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    const value = args[at + 1];
    args.splice(at, 2);
    return value;
  };
  const mitdb = take('--mitdb');
  const qtdb = take('--qtdb');
  const split = take('--split') ?? 'all';
  const listAt = args.indexOf('--list');
  if (listAt >= 0) args.splice(listAt, 1);
  const dirArg = args[0];
  if (dirArg === undefined || !['all', 'dev', 'test'].includes(split)) {
    console.error(
      'usage: bench:delineate -- <ludb dir> [records…] [--split dev|test] [--list] [--qtdb <qtdb dir>] [--mitdb <mitdb dir>]',
    );
    process.exit(2);
  }
  const dir = resolve(base, dirArg);
  const records =
    args.length > 1
      ? args.slice(1)
      : readdirSync(dir)
          .filter((f) => f.endsWith('.hea'))
          .map((f) => f.replace(/\.hea$/, ''))
          .filter((r) => /^\d+$/.test(r))
          .sort((a, b) => Number(a) - Number(b));
  const dev = newTally();
  const test = newTally();
  const list: string[] | null = listAt >= 0 ? [`rec  lead  bpm ${HEAD}`] : null;
  for (const name of records) {
    // Record 1 chose the previous thresholds, so it cannot be held out.
    const isDev = Number(name) % 2 === 0 || name === '1';
    if ((isDev && split === 'test') || (!isDev && split === 'dev')) continue;
    await scoreRecord(join(dir, name), name, isDev ? dev : test, list);
  }
  if (list !== null) console.log(list.join('\n'));
  console.log(
    `QRS delineation against LUDB annotations, from the annotated peaks (bias = measured − reference)`,
  );
  if (split !== 'test') printTally('development (even record numbers and 1)', dev);
  if (split !== 'dev') printTally('test (odd record numbers but 1, held out)', test);
  if (qtdb !== undefined) await qtdbAccuracy(resolve(base, qtdb));
  if (mitdb !== undefined) await mitdbPlausibility(resolve(base, mitdb));
}

await main();
