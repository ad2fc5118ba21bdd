import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HubClient, RealtimeHub } from '../../realtime/realtime-hub.js';
import { WsQuerySchema } from '@vigil/protocol';
import { bearerFromProtocols } from './ws-protocols.js';

/** The upgrade request's origin, for the audit trail of live streams. */
export function clientOf(request: FastifyRequest): HubClient {
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    requestId: request.id,
  };
}

/**
 * `GET /api/v1/ws`: WebSocket of live events. Authenticate with the subprotocols
 * `vigil.v1, vigil.bearer.<access token>` (ws-protocols.ts), a first message
 * `{"type":"auth","token":"..."}`, or the fallback `?token=<access token>` (redacted from logs);
 * add `last_event_id` to catch up on alerts and `patient_id` for one patient's events. Each
 * patient whose live data the socket may receive is on the audit trail (`realtime.subscribe`).
 * Messages are described in ws.schemas.ts.
 */
export function wsRoutes(
  app: FastifyInstance,
  options: { hub: RealtimeHub },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/ws',
    {
      websocket: true,
      schema: {
        tags: ['realtime'],
        summary: 'WebSocket of live vitals, predictions and alerts (scoped to what you may see)',
        querystring: WsQuerySchema,
      },
    },
    (socket, request) => {
      const token =
        bearerFromProtocols(request.headers['sec-websocket-protocol']) ?? request.query.token;
      options.hub.accept(socket, { ...request.query, token }, clientOf(request));
    },
  );
  done();
}
