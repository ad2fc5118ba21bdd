import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** CPU time (user + system) a process has used so far, ms: all its threads, and its main thread. */
export interface ProcessCpuMs {
  total: number;
  main: number;
}

export interface ChildServer<T> {
  info: T;
  url: string;
  /** The server process's CPU time so far; null where /proc is not available (Linux only). */
  cpuMs(): ProcessCpuMs | null;
  stop(): Promise<void>;
}

/** Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every common build). */
const CLOCK_TICKS_PER_S = 100;

/** utime + stime in a /proc `stat` file (fields 14 and 15, counted after the `(comm)`). */
function statCpuMs(file: string): number | null {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name, fields are numbered from 3 (state): utime is 14, stime 15.
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_S : null;
}

/** A process's CPU time, and its main thread's (the task whose id is the process id). */
export function processCpuMs(pid: number | undefined): ProcessCpuMs | null {
  if (pid === undefined) return null;
  try {
    const total = statCpuMs(`/proc/${String(pid)}/stat`);
    const main = statCpuMs(`/proc/${String(pid)}/task/${String(pid)}/stat`);
    return total === null || main === null ? null : { total, main };
  } catch {
    return null;
  }
}

/**
 * Starts one of the bench's servers in a child process (so the load generator and the server
 * do not share an event loop) and waits for the `BENCH_READY {json}` line it prints once
 * listening. A `.ts` script (relative to this folder) runs through tsx; a `.mjs` one (a bundle,
 * given as an absolute path) runs with plain Node, as `npm start` runs Vigil.
 */
export async function startChildServer<T extends { port: number }>(
  script: string,
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
  nodeArgs: readonly string[] = [],
): Promise<ChildServer<T>> {
  const bundled = script.endsWith('.mjs');
  const file = bundled ? script : fileURLToPath(new URL(script, import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    bundled
      ? [...nodeArgs, '--enable-source-maps', file]
      : [...nodeArgs, '--conditions=vigil-source', '--import', import.meta.resolve('tsx'), file],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  const stdout = child.stdout;
  if (!stdout) throw new Error('no stdout from child server');
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${script} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const lines = createInterface({ input: stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('BENCH_READY ')) {
        // The server's own log lines (pino writes to stdout) go to the bench's stderr.
        process.stderr.write(`${line}\n`);
        return;
      }
      clearTimeout(timer);
      resolve(JSON.parse(line.slice('BENCH_READY '.length)) as T);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code ?? 'null'} before listening`));
    });
  });
  return {
    info,
    url: `http://127.0.0.1:${info.port}`,
    cpuMs: () => processCpuMs(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
