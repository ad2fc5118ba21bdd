import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createMonitoredPatient, createTestApp, type TestApp } from '../helpers/index.js';

/** The app's log lines, parsed. */
function capture(): { stream: Writable; lines: () => { level: number; msg: string }[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { level: number; msg: string }),
  };
}

async function ingestOnePacket(t: TestApp): Promise<number> {
  const { key } = await createMonitoredPatient(t, 'ESP32-LOG-1');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/vitals',
    headers: { 'x-api-key': key },
    payload: {
      device_id: 'ESP32-LOG-1',
      timestamp: Date.now(),
      ecg_samples: Array.from({ length: 250 }, (_, i) => Math.sin(i / 10) / 2),
    },
  });
  return res.statusCode;
}

describe('request logs', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('writes no line per request at the default level (info), so the start-up banner stays on screen', async () => {
    const log = capture();
    t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logStream: log.stream });
    expect(await ingestOnePacket(t)).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const messages = log.lines().map((l) => l.msg);
    expect(messages).not.toContain('incoming request');
    expect(messages).not.toContain('request completed');
    // A refused request is still worth a line.
    await t.app.inject({ method: 'GET', url: '/api/v1/users/me' });
    expect(log.lines().some((l) => l.level === 30 && /Authentication required/.test(l.msg))).toBe(
      true,
    );
  });

  it('logs every request at debug', async () => {
    const log = capture();
    t = await createTestApp({ env: { LOG_LEVEL: 'debug' }, logStream: log.stream });
    expect(await ingestOnePacket(t)).toBe(201);
    const lines = log.lines();
    expect(lines.filter((l) => l.msg === 'incoming request' && l.level === 20)).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'request completed' && l.level === 20)).toHaveLength(1);
  });

  it('logs a load-shed request as a warning, not an error', async () => {
    // A 503 is the server saying "later" by design; at error level, an overload buried real
    // failures under one error line per shed request (usertest5).
    const log = capture();
    t = await createTestApp({
      env: { LOG_LEVEL: 'info', MAX_HEAP_USED_MB: '1' },
      logStream: log.stream,
    });
    const app = t.app;
    // Heap pressure is sampled once a second: the first requests may pass (401).
    await expect
      .poll(async () => (await app.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(503);
    const lines = log.lines().filter((l) => l.msg === 'request refused for now');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.level === 40)).toBe(true);
    expect(log.lines().filter((l) => l.level >= 50)).toEqual([]);
  }, 20_000);
});
