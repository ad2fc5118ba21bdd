/**
 * `npm run test:reliability`: runs each reliability test of this folder as a process of its own,
 * one after the other (each is bounded: its own figures below, plus a hard limit here), and
 * prints one table, one row per test; exits 1 when any row failed. The server is bundled once
 * from the checkout's sources for the tests that start real server processes.
 *
 * PostgreSQL rows need a cluster where the tests may create databases of their own:
 * RELIABILITY_PG_ADMIN_URL (e.g. postgres://postgres@127.0.0.1:5432/test) or DATABASE_URL;
 * without either they are skipped (reported as such). `--only <name>` runs the tests whose name
 * contains it. See docs/reliability.md.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverBundle, type ReliabilityResult } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : undefined;

interface Step {
  name: string;
  script: string;
  args?: string[];
  /** Hard limit; the test is killed and its row failed after it. */
  limitS: number;
}

const steps: Step[] = [
  { name: 'fuzz', script: 'fuzz-routes.ts', limitS: 420 },
  { name: 'crash-sqlite', script: 'crash-safety.ts', args: ['sqlite'], limitS: 480 },
  { name: 'crash-postgres', script: 'crash-safety.ts', args: ['postgres'], limitS: 480 },
  { name: 'overload', script: 'overload.ts', limitS: 240 },
  { name: 'pg-outage', script: 'dependencies.ts', args: ['pg-outage'], limitS: 120 },
  { name: 'mqtt-broker', script: 'dependencies.ts', args: ['mqtt-broker'], limitS: 120 },
  { name: 'disk-full', script: 'dependencies.ts', args: ['disk-full'], limitS: 120 },
  { name: 'sockets', script: 'sockets.ts', limitS: 120 },
];

function run(step: Step): Promise<ReliabilityResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--conditions=vigil-source',
        '--import',
        'tsx',
        path.join(here, step.script),
        ...(step.args ?? []),
      ],
      // Its own process group: at the hard limit the whole group is killed, so the server
      // processes a test started do not outlive it (they held ports and CPU for the next rows).
      { stdio: ['ignore', 'pipe', 'inherit'], env: process.env, detached: true },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const timer = setTimeout(killGroup, step.limitS * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // A test that exits early (an uncaught error) may leave servers it started behind.
      killGroup();
      const line = out.split('\n').find((l) => l.startsWith('RELIABILITY_RESULT '));
      const seconds = (performance.now() - t0) / 1000;
      if (line !== undefined) {
        resolve(JSON.parse(line.slice('RELIABILITY_RESULT '.length)) as ReliabilityResult);
        return;
      }
      resolve({
        test: step.name,
        database: '',
        ok: false,
        figures: {},
        seconds,
        notes: [
          signal === 'SIGKILL'
            ? `killed after its ${String(step.limitS)} s limit`
            : `exited ${String(code ?? signal)} without a result: ${out.slice(-500)}`,
        ],
      });
    });
  });
}

const t0 = performance.now();
process.stderr.write('bundling the server from source…\n');
process.env.RELIABILITY_SERVER_BUNDLE = serverBundle();
const results: ReliabilityResult[] = [];
for (const step of steps) {
  if (only !== undefined && !step.name.includes(only)) continue;
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${step.name}…\n`);
  const r = await run(step);
  results.push(r);
  process.stderr.write(`  ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(0)} s\n`);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const lines = [
  '| Test | Database | Result | Figures | Time |',
  '|---|---|---|---|---|',
  ...results.map((r) => {
    const skipped = r.notes?.some((n) => n.startsWith('skipped')) === true;
    const known = r.ok && r.notes?.some((n) => n.startsWith('known issue')) === true;
    const figures = Object.entries(r.figures)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('; ');
    return `| ${cell(r.test)} | ${r.database} | ${r.ok ? (skipped ? 'skipped' : known ? 'pass (known issue)' : 'pass') : '**FAIL**'} | ${cell(skipped ? (r.notes?.[0] ?? '') : figures)} | ${r.seconds.toFixed(0)} s |`;
  }),
];
process.stdout.write(`\n${lines.join('\n')}\n\n`);
for (const r of results)
  for (const n of r.notes ?? [])
    if (!r.ok) process.stdout.write(`FAIL ${r.test}: ${n}\n`);
    else if (n.startsWith('known issue')) process.stdout.write(`KNOWN ${r.test}: ${n}\n`);
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(
  `${String(results.length - failed)} of ${String(results.length)} passed in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
);
process.exit(failed === 0 ? 0 : 1);
