import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { latencySummary } from './latency-summary.js';
import { runFleet, type FleetDevice } from './run-fleet.js';
import type { VitalsPacket } from './vitals-packet.js';

interface Stub {
  url: string;
  received: Map<string, number[]>;
  close(): Promise<void>;
}

/**
 * A tiny loopback ingest stub: parses the JSON body, answers 201 for a known key and 401 with a
 * catalogue-style body otherwise, like Vigil's endpoint.
 */
async function startStub(keys: Record<string, string>): Promise<Stub> {
  const received = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const packet = JSON.parse(Buffer.concat(chunks).toString('utf8')) as VitalsPacket;
      const key = req.headers['x-api-key'];
      if (req.url !== '/api/v1/vitals' || keys[packet.device_id] !== key) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'DEVICE_KEY_INVALID', message: 'bad key', field: null }));
        return;
      }
      const list = received.get(packet.device_id) ?? [];
      list.push(packet.sequence);
      received.set(packet.device_id, list);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: String(packet.sequence) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const devices: FleetDevice[] = [
  { deviceId: 'SIM-1', apiKey: 'k1', scenario: 'normal' },
  { deviceId: 'SIM-2', apiKey: 'k2', scenario: 'tachycardia' },
  { deviceId: 'SIM-3', apiKey: 'k3', scenario: 'af' },
  { deviceId: 'SIM-4', apiKey: 'wrong', scenario: 'normal' },
];

describe('runFleet', () => {
  it('sends every scheduled packet in order and counts errors by kind', async () => {
    stub = await startStub({ 'SIM-1': 'k1', 'SIM-2': 'k2', 'SIM-3': 'k3', 'SIM-4': 'k4' });
    const progress: number[] = [];
    const summary = await runFleet({
      transport: 'http',
      baseUrl: stub.url,
      devices,
      durationS: 1,
      speed: 20,
      progressIntervalMs: 200,
      onProgress: (p) => progress.push(p.sent),
    });
    expect(summary.packetsSent).toBe(80);
    expect(summary.packetsOk).toBe(60);
    expect(summary.errors).toBe(20);
    expect(summary.errorsByKind).toEqual({ 'http_401 DEVICE_KEY_INVALID': 20 });
    expect(summary.offeredRatePerS).toBe(80);
    expect(summary.latencyMs.count).toBe(60);
    for (const id of ['SIM-1', 'SIM-2', 'SIM-3']) {
      expect(stub.received.get(id)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    expect(progress.length).toBeGreaterThan(0);
  });

  it('skips the packets of a silent device instead of sending them', async () => {
    stub = await startStub({ Q: 'k' });
    const summary = await runFleet({
      transport: 'http',
      baseUrl: stub.url,
      devices: [{ deviceId: 'Q', apiKey: 'k', scenario: 'silent' }],
      durationS: 1,
      speed: 40,
    });
    expect(summary.packetsSent).toBe(30);
    expect(summary.packetsSkipped).toBe(10);
    expect(summary.errors).toBe(0);
  });

  it('counts refused connections when nothing listens', async () => {
    stub = await startStub({});
    const url = stub.url;
    await stub.close();
    stub = undefined;
    const summary = await runFleet({
      transport: 'http',
      baseUrl: url,
      devices: devices.slice(0, 2),
      durationS: 0.5,
      speed: 10,
    });
    expect(summary.packetsOk).toBe(0);
    expect(summary.errorsByKind).toEqual({ connection_refused: summary.packetsSent });
    expect(summary.packetsSent).toBe(10);
  });

  it('gives up on a server that never answers and counts timeouts', async () => {
    const silent = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const summary = await runFleet({
        transport: 'http',
        baseUrl: `http://127.0.0.1:${port}`,
        devices: devices.slice(0, 1),
        durationS: 0.2,
        speed: 10,
        timeoutMs: 100,
      });
      expect(summary.packetsSent).toBe(2);
      expect(summary.errorsByKind).toEqual({ timeout: 2 });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => {
        silent.close(() => {
          resolve();
        });
      });
    }
  });

  it('runs closed loop at speed max until the duration ends, reporting results', async () => {
    stub = await startStub({ 'SIM-1': 'k1', 'SIM-2': 'k2' });
    const results: number[] = [];
    const summary = await runFleet({
      transport: 'http',
      baseUrl: stub.url,
      devices: devices.slice(0, 2),
      durationS: 0.5,
      speed: Infinity,
      onResult: (r) => results.push(r.sequence),
    });
    expect(summary.speed).toBe('max');
    expect(summary.offeredRatePerS).toBeNull();
    expect(summary.errors).toBe(0);
    expect(summary.packetsOk).toBeGreaterThan(10);
    expect(results).toHaveLength(summary.packetsSent);
  });

  it('stops early when aborted', async () => {
    stub = await startStub({ 'SIM-1': 'k1' });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 100);
    const summary = await runFleet({
      transport: 'http',
      baseUrl: stub.url,
      devices: devices.slice(0, 1),
      durationS: 30,
      signal: controller.signal,
    });
    expect(summary.durationS).toBeLessThan(5);
    expect(summary.packetsSent).toBe(1);
  });
});

describe('latencySummary', () => {
  it('reports nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(latencySummary(values)).toEqual({
      count: 100,
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
      mean: 50.5,
    });
    expect(latencySummary([]).count).toBe(0);
  });
});
