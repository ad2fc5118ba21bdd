import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/index.js';

/** A route that holds each request until the test releases it (a slow handler). */
function holdingRoute(held: (() => void)[]) {
  return (app: FastifyInstance, _options: unknown, done: () => void) => {
    app.get('/test/hold', async () => {
      await new Promise<void>((resolve) => held.push(resolve));
      return { ok: true };
    });
    done();
  };
}

/** Resolves with what the server sent once it closes the socket. */
function untilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve(received);
    });
  });
}

describe('overload and slow clients', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('sheds requests beyond MAX_IN_FLIGHT_REQUESTS with 503 and Retry-After, while /health and /ready answer', async () => {
    const held: (() => void)[] = [];
    t = await createTestApp({
      env: { MAX_IN_FLIGHT_REQUESTS: '2' },
      plugins: [holdingRoute(held)],
    });
    const app = t.app;
    const first = app.inject({ method: 'GET', url: '/test/hold' });
    const second = app.inject({ method: 'GET', url: '/test/hold' });
    await expect.poll(() => held.length).toBe(2);

    const shed = await app.inject({ method: 'GET', url: '/test/hold' });
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.json()).toMatchObject({ code: 'SERVER_OVERLOADED', statusCode: 503 });
    const alsoShed = await app.inject({ method: 'GET', url: '/api/v1/users/me' });
    expect(alsoShed.statusCode).toBe(503);

    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);

    for (const release of held.splice(0)) release();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    // Capacity comes back by itself once the held requests are done.
    const after = app.inject({ method: 'GET', url: '/test/hold' });
    await expect.poll(() => held.length).toBe(1);
    for (const release of held.splice(0)) release();
    expect((await after).statusCode).toBe(200);
  });

  it('sheds with 503 SERVER_OVERLOADED when the heap is over MAX_HEAP_USED_MB, never /health', async () => {
    // Any live process uses more than 1 MB of heap: pressure from the first sample (1 s) on.
    t = await createTestApp({ env: { MAX_HEAP_USED_MB: '1' } });
    const app = t.app;
    await expect
      .poll(async () => (await app.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(503);
    const shed = await app.inject({ method: 'GET', url: '/api/v1/users/me' });
    expect(shed.json()).toMatchObject({ code: 'SERVER_OVERLOADED' });
    expect(shed.json<{ message: string }>().message).toMatch(/heapUsedBytes/);
    expect(shed.headers['retry-after']).toBe('2');
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  }, 20_000);

  it('closes a request whose body never finishes (slowloris) after REQUEST_TIMEOUT_MS', async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '500' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const socket = connect(address.port, '127.0.0.1');
    const closed = untilClosed(socket);
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":',
    );
    // The body stays 91 bytes short: the server must give up on it, not wait for ever.
    const received = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);

  it('limits open sockets to MAX_CONNECTIONS', async () => {
    t = await createTestApp({ env: { MAX_CONNECTIONS: '3' } });
    expect(t.app.server.maxConnections).toBe(3);
  });
});
