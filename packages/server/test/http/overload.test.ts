import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAdmin,
  createDoctor,
  createPatient,
  createTestApp,
  registerDevice,
  type TestApp,
} from '../helpers/index.js';
import { post, syntheticPackets, type Packet } from '../vitals/packets.js';

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

/**
 * A device whose first upload is held in its turn (the alert rules wait for the test), so that its
 * next upload queues behind it.
 */
async function deviceWithAHeldTurn(t: TestApp) {
  const doctor = await createDoctor(t, await createAdmin(t));
  const patient = await createPatient(t, doctor);
  const deviceId = 'ESP32-QUEUE-1';
  const { api_key: key } = await registerDevice(t, doctor, {
    patientId: patient.user.id,
    deviceId,
  });
  const packets: Packet[] = syntheticPackets(deviceId, 72, 3, t.clock.now() - 5000);
  const held: (() => void)[] = [];
  const alerts = t.container.services.alerts;
  const rules = alerts.observe.bind(alerts);
  alerts.observe = async (...args) => {
    await new Promise<void>((resolve) => held.push(resolve));
    return rules(...args);
  };
  // Uploads past device resolution: queued for their turn in the same tick.
  const resolved = { count: 0 };
  const devices = t.container.services.devices;
  const resolve = devices.resolveUploader.bind(devices);
  devices.resolveUploader = async (...args) => {
    const device = await resolve(...args);
    resolved.count++;
    return device;
  };
  const send = (i: number) => post(t, key, packets[i]);
  return { deviceId, packets, held, send, resolved };
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

  it('sheds an upload that waited over MAX_QUEUE_WAIT_MS for its turn with 503 and Retry-After, storing nothing of it', async () => {
    t = await createTestApp({ env: { MAX_QUEUE_WAIT_MS: '100' } });
    const d = await deviceWithAHeldTurn(t);
    const first = d.send(0);
    await expect.poll(() => d.held.length).toBe(1);
    // The second upload queues behind the first, past its 100 ms budget.
    const second = d.send(1);
    await expect.poll(() => d.resolved.count).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const release of d.held.splice(0)) release();
    expect((await first).statusCode).toBe(201);
    const shed = await second;
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.json()).toMatchObject({ code: 'SERVER_OVERLOADED', statusCode: 503 });
    const stored = await t.container.repositories.vitals.latest(d.deviceId);
    expect(stored?.ts).toBe(d.packets[0]?.timestamp);
    // Sent again with nobody ahead of it, it is taken (and stored as new).
    const again = d.send(1);
    await expect.poll(() => d.held.length).toBe(1);
    for (const release of d.held.splice(0)) release();
    expect((await again).statusCode).toBe(201);
    expect((await t.container.repositories.vitals.latest(d.deviceId))?.ts).toBe(
      d.packets[1]?.timestamp,
    );
  });

  it('sheds a request whose handler would start after MAX_QUEUE_WAIT_MS from its arrival, never /health', async () => {
    const slowBeforeHandler = (app: FastifyInstance, _options: unknown, done: () => void) => {
      app.get(
        '/test/slow-start',
        { preValidation: () => new Promise((resolve) => setTimeout(resolve, 300)) },
        () => ({ ok: true }),
      );
      app.post('/test/upload', () => ({ ok: true }));
      done();
    };
    t = await createTestApp({
      env: { MAX_QUEUE_WAIT_MS: '100' },
      plugins: [slowBeforeHandler],
    });
    const shed = await t.app.inject({ method: 'GET', url: '/test/slow-start' });
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.json()).toMatchObject({ code: 'SERVER_OVERLOADED' });
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    // A body that takes longer than the budget to arrive is the client's time, not a wait.
    const slowBody = Readable.from(
      (async function* () {
        yield '{"a":';
        await new Promise((resolve) => setTimeout(resolve, 300));
        yield '1}';
      })(),
    );
    const uploaded = await t.app.inject({
      method: 'POST',
      url: '/test/upload',
      headers: { 'content-type': 'application/json' },
      payload: slowBody,
    });
    expect(uploaded.statusCode).toBe(200);
  });

  it('refuses queued and new uploads with 503 and Retry-After once stopping, and finishes the one under way', async () => {
    t = await createTestApp();
    const d = await deviceWithAHeldTurn(t);
    const first = d.send(0);
    await expect.poll(() => d.held.length).toBe(1);
    const queued = d.send(1);
    await expect.poll(() => d.resolved.count).toBe(2);
    t.container.stopAccepting();
    const late = d.send(2);
    for (const release of d.held.splice(0)) release();
    expect((await first).statusCode).toBe(201);
    for (const refused of [await queued, await late]) {
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('2');
      expect(refused.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    }
    expect((await t.container.repositories.vitals.latest(d.deviceId))?.ts).toBe(
      d.packets[0]?.timestamp,
    );
  });

  it('limits open sockets to MAX_CONNECTIONS', async () => {
    t = await createTestApp({ env: { MAX_CONNECTIONS: '3' } });
    expect(t.app.server.maxConnections).toBe(3);
  });
});
