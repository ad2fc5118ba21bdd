import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../../errors/catalogue.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route answers even when the server sheds load (liveness, readiness, metrics). */
    loadShedding?: boolean;
  }
}

export interface LoadSheddingOptions {
  /** Requests handled at once; 0 = no cap. */
  maxInFlight: number;
  /** Mean event-loop delay (ms) over which requests are shed; 0 = off. */
  maxEventLoopDelayMs: number;
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
