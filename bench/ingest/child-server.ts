import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ChildServer<T> {
  info: T;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts one of the bench's servers in a child process (so the load generator and the server
 * do not share an event loop) and waits for the `BENCH_READY {json}` line it prints once
 * listening.
 */
export async function startChildServer<T extends { port: number }>(
  script: string,
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
  nodeArgs: readonly string[] = [],
): Promise<ChildServer<T>> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, '--conditions=vigil-source', '--import', import.meta.resolve('tsx'), file],
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
