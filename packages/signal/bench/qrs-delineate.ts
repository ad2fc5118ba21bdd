/**
 * QRS delineation accuracy against the Lobachevsky University ECG Database (LUDB), whose per-lead
 * annotation files (`1.i` … `1.v6`) mark each QRS as `(` onset, `N` peak, `)` offset.
 * Every annotated QRS of every lead is delineated from its annotated peak with `qrsDelineate` and
 * the mean absolute error of onset, offset and duration is printed per lead and overall.
 *
 * With `--mitdb <dir>` it also prints, per MIT-BIH record (channel 0, reference beat positions),
 * the median QRS duration by beat label: there is no delineation reference there, but ventricular
 * (V) and bundle-branch-block (L, R) beats should come out wider than normal (N) ones.
 *
 * Run: npm run bench:delineate -w @vigil/signal -- <ludb dir> [--mitdb <mitdb dir>]
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { qrsDelineate } from '../src/ecg/qrs-delineate.js';
import { readAnnotations, readWfdbRecord } from '../src/io/index.js';

const LEADS = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'];

interface Errors {
  n: number;
  undetermined: number;
  onset: number;
  offset: number;
  duration: number;
  onsetBias: number;
  offsetBias: number;
}

const empty = (): Errors => ({
  n: 0,
  undetermined: 0,
  onset: 0,
  offset: 0,
  duration: 0,
  onsetBias: 0,
  offsetBias: 0,
});

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

async function main(): Promise<void> {
  const base = process.env.INIT_CWD ?? process.cwd();
  const args = process.argv.slice(2);
  const mitdbAt = args.indexOf('--mitdb');
  const mitdb = mitdbAt >= 0 ? args[mitdbAt + 1] : undefined;
  if (mitdbAt >= 0) args.splice(mitdbAt, 2);
  const dirArg = args[0];
  if (dirArg === undefined) {
    console.error('usage: bench:delineate -- <ludb dir> [--mitdb <mitdb dir>]');
    process.exit(2);
  }
  const dir = resolve(base, dirArg);
  const records = args.length > 1 ? args.slice(1) : ['1'];
  const total = empty();
  const lines: string[] = ['record lead  n  MAE onset  MAE offset  MAE duration (ms)  bias on/off'];
  for (const name of records) {
    const path = join(dir, name);
    const record = await readWfdbRecord(path);
    for (const [index, lead] of LEADS.entries()) {
      const signal = record.signals[index];
      if (signal === undefined) continue;
      const marks = await readAnnotations(path, lead);
      const truth: { on: number; peak: number; off: number }[] = [];
      for (let i = 1; i + 1 < marks.length; i++) {
        const [prev, cur, next] = [marks[i - 1], marks[i], marks[i + 1]];
        if (cur?.symbol === 'N' && prev?.symbol === '(' && next?.symbol === ')') {
          truth.push({ on: prev.sample, peak: cur.sample, off: next.sample });
        }
      }
      const d = qrsDelineate(
        signal.physical,
        record.fs,
        truth.map((t) => t.peak),
      );
      const e = empty();
      const ms = 1000 / record.fs;
      truth.forEach((t, i) => {
        const on = d.onset[i] ?? -1;
        const off = d.offset[i] ?? -1;
        if (on < 0 || off < 0) {
          e.undetermined++;
          return;
        }
        e.n++;
        e.onset += Math.abs(on - t.on) * ms;
        e.offset += Math.abs(off - t.off) * ms;
        e.duration += Math.abs(off - on - (t.off - t.on)) * ms;
        e.onsetBias += (on - t.on) * ms;
        e.offsetBias += (off - t.off) * ms;
      });
      for (const key of Object.keys(e) as (keyof Errors)[]) total[key] += e[key];
      const f = (v: number): string => (v / Math.max(1, e.n)).toFixed(1).padStart(6);
      lines.push(
        `${name.padEnd(6)} ${lead.padEnd(4)} ${String(e.n).padStart(2)} ${f(e.onset)} ${f(e.offset)} ${f(e.duration)}   ${f(e.onsetBias)} ${f(e.offsetBias)}${e.undetermined > 0 ? `  (${e.undetermined} undetermined)` : ''}`,
      );
    }
  }
  const f = (v: number): string => (v / Math.max(1, total.n)).toFixed(1);
  lines.push(
    `all: ${total.n} QRS complexes (${total.undetermined} undetermined) — MAE onset ${f(total.onset)} ms, offset ${f(total.offset)} ms, duration ${f(total.duration)} ms; bias onset ${f(total.onsetBias)} ms, offset ${f(total.offsetBias)} ms`,
  );
  console.log(lines.join('\n'));
  if (mitdb !== undefined) await mitdbPlausibility(resolve(base, mitdb));
}

await main();
