import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../../errors/catalogue.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route answers even when the server sheds load (liveness, readiness, metrics). */
    loadShedding?: boolean;
  }
  interface FastifyRequest {
    /**
     * Monotonic time (`performance.now()`, ms) after which the request's work must not start:
     * it has waited its budget (MAX_QUEUE_WAIT_MS) and is answered 503 instead; undefined: no
     * budget.
     */
    shedAfterMs: number | undefined;
  }
}

export interface LoadSheddingOptions {
  /** Requests handled at once; 0 = no cap. */
  maxInFlight: number;
  /** Mean event-loop delay (ms) over which requests are shed; 0 = off. */
  maxEventLoopDelayMs: number;
  /** Wait (ms) from a request's arrival after which its work does not start; 0 = no limit. */
  maxQueueWaitMs?: number;
  /** V8 heap in use (bytes) over which requests are shed; 0 = off. */
  maxHeapUsedBytes: number;
  /** Retry-After sent with a shed request, seconds. */
  retryAfterSeconds?: number;
}

const exempt = (request: FastifyRequest) => request.routeOptions.config.loadShedding === false;

/**
 * Overload answers 503 SERVER_OVERLOADED with Retry-After before the body is read, instead of
 * queueing without bound: when more than `maxInFlight` requests are being handled, or when
 * @fastify/under-pressure sees the event loop lagging or the heap near its limit. Routes marked
 * `config: { loadShedding: false }` (/health, /ready, /metrics) always answer.
 *
 * Queueing time is bounded too: a request gets a budget of `maxQueueWaitMs` from its arrival
 * (`request.shedAfterMs`), not counting the time its body takes to arrive. One that has used it
 * up before its handler runs is shed here; work queued after that (a device's upload waiting for
 * its turn) checks the same deadline when its turn comes (ingest-core.ts). What is accepted is
 * therefore answered within about the budget plus its own work, however long the queue.
 */
async function loadSheddingPlugin(
  app: FastifyInstance,
  options: LoadSheddingOptions,
): Promise<void> {
  const retryAfterSeconds = options.retryAfterSeconds ?? 2;
  const overloaded = (reason: string) =>
    new DomainError('SERVER_OVERLOADED', {
      message: `The server is overloaded (${reason}); retry after ${String(retryAfterSeconds)} s`,
      retryAfterSeconds,
    });

  const maxQueueWaitMs = options.maxQueueWaitMs ?? 0;
  app.decorateRequest('shedAfterMs', undefined);
  if (maxQueueWaitMs > 0) {
    // Receiving the body is the client's time, not a wait: it moves the deadline on (a large
    // upload over a slow link is not shed for its size; REQUEST_TIMEOUT_MS bounds it).
    const bodyFrom = new WeakMap<FastifyRequest, number>();
    app.addHook('onRequest', (request, _reply, done) => {
      if (!exempt(request)) request.shedAfterMs = performance.now() + maxQueueWaitMs;
      done();
    });
    app.addHook('preParsing', (request, _reply, payload, done) => {
      if (request.shedAfterMs !== undefined) bodyFrom.set(request, performance.now());
      done(null, payload);
    });
    app.addHook('preValidation', (request, _reply, done) => {
      const from = bodyFrom.get(request);
      if (from !== undefined && request.shedAfterMs !== undefined)
        request.shedAfterMs += performance.now() - from;
      done();
    });
    app.addHook('preHandler', (request, _reply, done) => {
      const after = request.shedAfterMs;
      if (after !== undefined && performance.now() > after)
        done(overloaded(`waited over ${String(maxQueueWaitMs)} ms`));
      else done();
    });
  }

  let inFlight = 0;
  if (options.maxInFlight > 0) {
    app.addHook('onRequest', async (request, reply) => {
      if (exempt(request)) return;
      if (inFlight >= options.maxInFlight) throw overloaded('too many requests in flight');
      inFlight++;
      // 'close' fires once for every response: sent, failed or abandoned by the client.
      reply.raw.once('close', () => {
        inFlight--;
      });
    });
  }
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    pressureHandler: (request, _reply, type) => {
      if (exempt(request)) return undefined;
      return Promise.reject(overloaded(type));
    },
  });
}

export default fp(loadSheddingPlugin, { name: 'vigil-load-shedding' });
