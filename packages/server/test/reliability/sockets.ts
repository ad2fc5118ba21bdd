/**
 * `npm run test:reliability`, hostile clients over real sockets (a server process, SQLite in a
 * temporary folder, REQUEST_TIMEOUT_MS=2000, WS_MAX_BUFFERED_KIB=256):
 * - slowloris: a POST whose body never finishes must get 408 and its socket closed within
 *   REQUEST_TIMEOUT_MS plus Node's checking interval (REQUEST_TIMEOUT_MS / 4) and a second;
 * - WebSocket subprotocol authentication: `vigil.v1, vigil.bearer.<token>` opens a live
 *   connection (server selects `vigil.v1`, says welcome), a wrong token is closed with 4401;
 * - a WebSocket client that never reads (raw TCP: handshake, then no reads) while events are
 *   published: the server must drop it once its unsent bytes pass the bound, so what the client
 *   finally reads is bounded and the connection ends, and the server's RSS stays flat.
 *
 *   tsx --conditions=vigil-source packages/server/test/reliability/sockets.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  api,
  ecgPacket,
  finish,
  freePort,
  setUpClinic,
  startServer,
  stopGracefully,
  waitReady,
} from './harness.js';
import { wsUpgradeRequest } from '../helpers/ws-upgrade-request.js';

const REQUEST_TIMEOUT_MS = 2000;
const WS_MAX_BUFFERED_KIB = 256;
const started = performance.now();
const failures: string[] = [];
const figures: Record<string, string | number> = {};
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-sockets-'));
const port = await freePort();
const server = startServer({
  PORT: String(port),
  VIGIL_DATA_DIR: dir,
  REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  WS_MAX_BUFFERED_KIB: String(WS_MAX_BUFFERED_KIB),
});

/** Everything the socket receives until it closes (or `ms` passes: then `closed` is false). */
function untilClosed(
  socket: Socket,
  ms: number,
): Promise<{ text: string; bytes: number; closed: boolean; afterMs: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let text = '';
    let bytes = 0;
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      resolve({ text, bytes, closed, afterMs: performance.now() - t0 });
    };
    const timer = setTimeout(() => {
      done(false);
    }, ms);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (text.length < 4096) text += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      done(true);
    });
  });
}

try {
  await waitReady(server);
  const clinic = await setUpClinic(server.base, ['SOCK-1']);
  const login = await api<{ access_token: string }>(server.base, 'POST', '/api/v1/auth/login', {
    email: ADMIN_EMAIL,
    password: ADMIN_PASSWORD,
  });
  const token = login.access_token;

  // 1. Slowloris.
  {
    const s = connect(port, '127.0.0.1');
    await new Promise((resolve) => s.once('connect', resolve));
    s.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":',
    );
    const r = await untilClosed(s, REQUEST_TIMEOUT_MS * 5);
    const bound = REQUEST_TIMEOUT_MS * 1.25 + 1000;
    const status = /^HTTP\/1\.1 (\d{3})/.exec(r.text)?.[1] ?? 'none';
    figures.slowloris = `${status} and closed after ${(r.afterMs / 1000).toFixed(1)} s (bound ${(bound / 1000).toFixed(1)} s)`;
    if (!r.closed || status !== '408' || r.afterMs > bound)
      failures.push(`slowloris: ${figures.slowloris}`);
  }

  // 2. Subprotocol authentication, right and wrong token.
  {
    const open = (protocols: string[]) =>
      new Promise<{ protocol: string; first: string; closeCode: number }>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${String(port)}/api/v1/ws`, protocols);
        let first = '';
        ws.on('message', (m: Buffer) => {
          first ||= m.toString();
          if (first !== '') ws.close();
        });
        ws.on('close', (code) => {
          resolve({ protocol: ws.protocol, first, closeCode: code });
        });
        ws.on('error', () => undefined);
      });
    const good = await open(['vigil.v1', `vigil.bearer.${token}`]);
    const bad = await open(['vigil.v1', `vigil.bearer.${randomBytes(16).toString('hex')}`]);
    const welcomed = good.protocol === 'vigil.v1' && good.first.includes('"welcome"');
    figures['subprotocol auth'] =
      `${welcomed ? 'welcome' : 'NO welcome'} (protocol ${good.protocol}); wrong token closed ${String(bad.closeCode)}`;
    if (!welcomed || bad.closeCode !== 4401)
      failures.push(`subprotocol: ${figures['subprotocol auth']}`);
  }

  // 3. A WebSocket client that never reads.
  {
    const s = connect(port, '127.0.0.1');
    await new Promise((resolve) => s.once('connect', resolve));
    s.write(wsUpgradeRequest('127.0.0.1', token));
    s.pause(); // Never reads from here on (the kernel buffers fill, then the server's).
    const rssBefore = server.peakRssMb();
    const device = clinic.devices[0];
    if (device === undefined) throw new Error('no device');
    const startMs = Date.now() - 3600_000;
    let sent = 0;
    // 3,000 packets in batches of 60: ~10 MB of vitals events for this client, far more than the
    // kernel's socket buffers and the bound. Then the client reads at last: if the server dropped
    // it, it gets what was in flight and the connection ends; if not, it stays open.
    while (sent < 3000) {
      const batch = Array.from({ length: 60 }, (_, k) =>
        ecgPacket(device.deviceId, sent + k, startMs),
      );
      const r = await fetch(`${server.base}/api/v1/vitals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': device.apiKey },
        body: `[${batch.join(',')}]`,
      });
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`batch: HTTP ${String(r.status)}`);
      sent += 60;
    }
    const read = untilClosed(s, 10_000);
    s.resume();
    const { closed: r, bytes } = await read;
    const rssAfter = server.peakRssMb();
    figures['never-reading WebSocket'] =
      `${r ? 'dropped' : 'NOT dropped'} (read ${(bytes / 1e6).toFixed(1)} MB of ${String(sent)} packets' events; bound ${String(WS_MAX_BUFFERED_KIB)} KiB); peak RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB`;
    if (!r) failures.push(`never-reading client: ${figures['never-reading WebSocket']}`);
    s.destroy();
  }
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
}
const how = await stopGracefully(server);
if (how !== '0') failures.push(`SIGTERM: exit ${how}`);
rmSync(dir, { recursive: true, force: true });
finish({
  test: 'hostile clients over real sockets',
  database: 'SQLite',
  ok: failures.length === 0,
  figures,
  seconds: (performance.now() - started) / 1000,
  notes: failures,
});
