import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runFleet } from './run-fleet.js';
import { parseRetryAfterMs } from './transports.js';
import type { VitalsPacket } from './vitals-packet.js';

/**
 * An ingest stub that sheds the first `shed` requests with 503 SERVER_OVERLOADED and
 * `Retry-After: 1`, as Vigil's load shedding does, then accepts; it records when each request
 * arrived and which sequence it carried.
 */
async function sheddingStub(shed: number) {
  const arrivals: { atMs: number; sequence: number; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const packet = JSON.parse(Buffer.concat(chunks).toString('utf8')) as VitalsPacket;
      const status = arrivals.length < shed ? 503 : 201;
      arrivals.push({ atMs: performance.now(), sequence: packet.sequence, status });
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(status === 503 ? { 'retry-after': '1' } : {}),
      });
      res.end(
        status === 503
          ? JSON.stringify({
              code: 'SERVER_OVERLOADED',
              message: 'retry after 1 s',
              statusCode: 503,
            })
          : JSON.stringify({ id: String(packet.sequence) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('the simulator and Retry-After', () => {
  it('waits as long as a 503 Retry-After says, then sends the same packet again', async () => {
    const stub = await sheddingStub(1);
    close = stub.close;
    const summary = await runFleet({
      transport: 'http',
      baseUrl: stub.url,
      devices: [{ deviceId: 'SIM-RA', apiKey: 'k' }],
      durationS: 0.5,
      speed: 4,
    });
    const [first, second] = stub.arrivals;
    expect(first).toMatchObject({ sequence: 0, status: 503 });
    // The same packet again, no sooner than the 1 s asked for.
    expect(second).toMatchObject({ sequence: 0, status: 201 });
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(990);
    expect(summary.retriesAfterRetryAfter).toBe(1);
    expect(summary.errors).toBe(0);
    expect(summary.packetsOk).toBe(summary.packetsSent);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs('2')).toBe(2000);
    expect(
      parseRetryAfterMs('Fri, 04 Dec 2026 20:00:03 GMT', Date.UTC(2026, 11, 4, 20, 0, 0)),
    ).toBe(3000);
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs('soon')).toBeUndefined();
  });
});
