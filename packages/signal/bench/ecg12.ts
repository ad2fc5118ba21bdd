/**
 * Speed of the 12-lead interpretation: the p50/p99 time of `interpretEcg12` for one 10-s,
 * 12-lead, 500 Hz ECG and the time of a batch of 100, each against a baseline measured in the
 * same run on the same records: the bare QRS detector (`detectQrs`) run on all 12 leads.
 * Targets: one ECG p99 < 50 ms, a batch of 100 < 2 s.
 *
 * Run: npm run bench:ecg12 -w @vigil/signal -- [<dir of .hea + .mat/.dat records>] [--rounds 300]
 * (default records: the committed fixtures, CinC E07509 and the ten PTB-XL records).
 */
import { readdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { detectQrs } from '../src/ecg/detect-qrs.js';
import { interpretEcg12 } from '../src/ecg12/interpret-ecg12.js';
import { readEcg12Record } from '../src/io/index.js';
import type { Ecg12Record } from '../src/io/index.js';

/** Paths on the command line are relative to where npm was run (npm -w runs in the package folder). */
const resolve = (path: string): string => resolvePath(process.env.INIT_CWD ?? process.cwd(), path);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '300' } },
});
const rounds = Number(values.rounds);
const fixtures = join(import.meta.dirname, '..', 'src');
const paths: string[] = [];
if (positionals[0] !== undefined) {
  const dir = resolve(positionals[0]);
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.hea'))
    .sort())
    paths.push(join(dir, f));
} else {
  paths.push(join(fixtures, 'io', 'fixtures', 'cinc2021', 'E07509.hea'));
  for (let id = 6000; id <= 6009; id++) {
    const name = String(id).padStart(5, '0');
    paths.push(join(fixtures, 'tools', 'fixtures', 'ptbxl', 'records500', name, `${name}_hr.hea`));
  }
}
const records: Ecg12Record[] = [];
for (const p of paths) records.push(await readEcg12Record(p));

const interpret = (r: Ecg12Record): void => {
  interpretEcg12(r.leadsMv, { samplingRateHz: r.samplingRateHz });
};
const baseline = (r: Ecg12Record): void => {
  for (const lead of r.leadsMv) detectQrs(lead, { fs: r.samplingRateHz });
};

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Per-call times (ms) of `fn` over `rounds` calls cycling through the records; the two tasks alternate. */
function timeCalls(): { task: number[]; base: number[] } {
  const task: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = records[i % records.length] as Ecg12Record;
    let t = performance.now();
    interpret(r);
    task.push(performance.now() - t);
    t = performance.now();
    baseline(r);
    base.push(performance.now() - t);
  }
  return { task: task.sort((a, b) => a - b), base: base.sort((a, b) => a - b) };
}

// Warm-up (JIT) on every record, not timed.
for (const r of records) {
  interpret(r);
  baseline(r);
}
const single = timeCalls();
const batches: { task: number; base: number; taskCpu: number; baseCpu: number }[] = [];
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
for (let b = 0; b < 5; b++) {
  let t = performance.now();
  let c = process.cpuUsage();
  for (let i = 0; i < 100; i++) interpret(records[i % records.length] as Ecg12Record);
  const task = performance.now() - t;
  const taskCpu = cpuMs(c);
  t = performance.now();
  c = process.cpuUsage();
  for (let i = 0; i < 100; i++) baseline(records[i % records.length] as Ecg12Record);
  batches.push({ task, base: performance.now() - t, taskCpu, baseCpu: cpuMs(c) });
}
const f = (v: number): string => v.toFixed(1).padStart(7);
console.log(
  `interpretEcg12 on ${records.length} records (12 leads, 10 s), ${rounds} calls; baseline = detectQrs on the 12 leads`,
);
console.log('                     interpretEcg12   baseline   ratio');
for (const [label, q] of [
  ['one ECG p50 (ms)', 0.5],
  ['one ECG p99 (ms)', 0.99],
] as const) {
  const a = quantile(single.task, q);
  const b = quantile(single.base, q);
  console.log(`${label.padEnd(20)} ${f(a)}        ${f(b)}   ${(a / b).toFixed(2)}`);
}
const worst = batches.reduce((w, b) => (b.task > w.task ? b : w));
const taskMs = batches.map((b) => b.task).sort((a, b) => a - b);
const baseMs = batches.map((b) => b.base).sort((a, b) => a - b);
console.log(
  `${'batch of 100 (ms)'.padEnd(20)} ${f(taskMs[2] ?? NaN)}        ${f(baseMs[2] ?? NaN)}   ${((taskMs[2] ?? NaN) / (baseMs[2] ?? NaN)).toFixed(2)}   (median of 5; slowest ${worst.task.toFixed(0)} ms)`,
);
const taskCpu = batches.map((b) => b.taskCpu).sort((a, b) => a - b)[2] ?? NaN;
const baseCpu = batches.map((b) => b.baseCpu).sort((a, b) => a - b)[2] ?? NaN;
console.log(
  `${'batch of 100, CPU ms'.padEnd(20)} ${f(taskCpu)}        ${f(baseCpu)}   ${(taskCpu / baseCpu).toFixed(2)}   (process CPU time, includes GC threads; less sensitive to machine load)`,
);
console.log(
  `load average (1 min) during the run: ${(await import('node:os')).loadavg()[0]?.toFixed(1) ?? '?'}`,
);
console.log(
  `targets: one ECG p99 < 50 ms: ${quantile(single.task, 0.99) < 50 ? 'met' : 'NOT met'}; batch of 100 < 2000 ms: ${worst.task < 2000 ? 'met' : 'NOT met'}`,
);
