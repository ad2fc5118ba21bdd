/**
 * HAProxy in front of several Vigil instances on loopback, as the reference deployment runs it
 * (deploy/haproxy/haproxy.cfg): round robin, health checks on `/ready`, requests that never
 * reached a server sent to another. Shared by `npm run test:cluster` and the cluster mode of
 * `npm run bench:ingest`. Needs `haproxy` (Debian package) on the PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, sleep } from '../reliability/harness.js';

export interface Haproxy {
  /** `http://127.0.0.1:<port>` of the frontend. */
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** The generated configuration: one backend, a `server` line per instance port. */
export function haproxyConfig(frontendPort: number, instancePorts: readonly number[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  retries 3',
    '  option redispatch',
    '  retry-on conn-failure empty-response',
    'frontend vigil_in',
    `  bind 127.0.0.1:${String(frontendPort)}`,
    '  default_backend vigil',
    'backend vigil',
    '  balance roundrobin',
    '  option httpchk GET /ready',
    ...instancePorts.map(
      (p, i) => `  server i${String(i + 1)} 127.0.0.1:${String(p)} check inter 1s fall 2 rise 2`,
    ),
    '',
  ].join('\n');
}

/**
 * Starts HAProxy on a free port in front of `instancePorts` and waits until it answers `/ready`
 * with 200 (at least one instance up and checked). Its configuration lives in a temporary
 * folder, removed by `stop()`.
 */
export async function startHaproxy(instancePorts: readonly number[]): Promise<Haproxy> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, instancePorts));
  const child = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${String(port)}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return { url, process: child, stop };
    } catch {
      // HAProxy starting, or its first health checks not done yet.
    }
    await sleep(200);
  }
  await stop();
  throw new Error(`HAProxy did not answer /ready with 200 within 20 s: ${stderr}`);
}
