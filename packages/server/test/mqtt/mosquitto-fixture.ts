import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

export function portAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface MosquittoUser {
  username: string;
  password: string;
}

export interface MosquittoFixture {
  port: number;
  url(user: MosquittoUser): string;
  /** Adds (or changes) a user in the password file and makes Mosquitto reload it (SIGHUP). */
  addUser(user: MosquittoUser): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A second, private Mosquitto (the system one keeps 1883) on a free port, configured as
 * docs/mosquitto.md describes: no anonymous access, a password file, and an ACL where each
 * device may only write `vigil/devices/<its username>/vitals` and read
 * `vigil/devices/<its username>/errors`, and Vigil's own user may read every device's vitals
 * topic and write every device's errors topic.
 */
export async function startMosquitto(o: {
  vigil: MosquittoUser;
  devices: MosquittoUser[];
}): Promise<MosquittoFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-mosquitto-'));
  // Started as root, Mosquitto drops to its own user, which must be able to read these files.
  chmodSync(dir, 0o755);
  const passwd = path.join(dir, 'passwd');
  const acl = path.join(dir, 'acl');
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(passwd, '');
  for (const u of [o.vigil, ...o.devices])
    execFileSync(MOSQUITTO_PASSWD, ['-b', passwd, u.username, u.password]);
  writeFileSync(
    acl,
    [
      `user ${o.vigil.username}`,
      'topic read vigil/devices/+/vitals',
      'topic write vigil/devices/+/errors',
      '',
      '# every other user: write its own vitals topic, read its own errors topic',
      '# (%u = MQTT username = device_id)',
      'pattern write vigil/devices/%u/vitals',
      'pattern read vigil/devices/%u/errors',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  chmodSync(acl, 0o644);
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${acl}`,
      'persistence false',
      'log_dest stderr',
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(MOSQUITTO, ['-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 100 && !(await portAccepts(port)); i++) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: (u) =>
      `mqtt://${encodeURIComponent(u.username)}:${encodeURIComponent(u.password)}@127.0.0.1:${port}`,
    async addUser(u) {
      execFileSync(MOSQUITTO_PASSWD, ['-b', passwd, u.username, u.password]);
      chmodSync(passwd, 0o644);
      const reloaded = new Promise<void>((resolve) => {
        const onData = (d: Buffer): void => {
          if (d.toString().includes('Reloading config')) {
            proc.stderr?.off('data', onData);
            resolve();
          }
        };
        proc.stderr?.on('data', onData);
      });
      proc.kill('SIGHUP');
      await Promise.race([reloaded, new Promise((r) => setTimeout(r, 2000))]);
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
