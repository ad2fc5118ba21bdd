import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Request lines ("incoming request", "request completed") at debug instead of Fastify's info:
 * at the default level one JSON line per ingested packet buried the start-up banner (with the
 * development admin's credentials) within a second of `npm start`. Failed requests are still
 * logged by the error handler (5xx at error, 4xx at info), and `LOG_LEVEL=debug` brings every
 * request line back.
 */
export class QuietRequestLog extends Fastify.LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error)
      reply.log.error(
        { res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
