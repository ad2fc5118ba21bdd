import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { RppgSessionParamsSchema, RppgStreamQuerySchema } from '@vigil/protocol';
import type { Services } from '../../composition.js';
import { isDomainError } from '../../errors/catalogue.js';
import { auditOutcome, type AuditRecorder } from '../../services/audit.service.js';

type RawData = Buffer | ArrayBuffer | Buffer[];

function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** WebSocket close codes: 4000 + the HTTP status of the refusal. */
const CLOSE_BASE = 4000;

/**
 * `GET /api/v1/rppg/sessions/{id}/stream`: a client's camera frames into a session. Binary
 * messages are JPEG frames framed as in @vigil/protocol's `encodeRppgFrame`; text messages are
 * privacy-mode mean colours (`RppgMeanRgbMessage`). The server answers every message, in order,
 * with an `estimate` or an `error` (a refused or dropped frame; the session goes on), so a client
 * can keep a few frames in flight and send the next when an answer arrives.
 * Authenticate with `?token=` (browsers) or an Authorization header. Opening (or being refused)
 * is one `rppg_session.stream` event on the audit trail, of the session's patient.
 */
export function rppgStreamRoutes(
  app: FastifyInstance,
  options: { rppg: Services['rppg']; audit: Pick<AuditRecorder, 'record'> },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/sessions/:id/stream',
    {
      websocket: true,
      schema: {
        tags: ['rppg'],
        summary: 'WebSocket of camera frames (binary JPEG) or mean colours (JSON) into a session',
        params: RppgSessionParamsSchema,
        querystring: RppgStreamQuerySchema,
      },
    },
    (socket, request) => {
      const header = request.headers.authorization;
      const token =
        request.query.token ??
        (typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined);
      const send = (message: unknown): void => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      // Who the token names, once checked (a refusal after that is on record with its caller).
      let viewer: { id: string; role: 'admin' | 'doctor' | 'patient' } | null = null;
      const audit = (status: number): void => {
        options.audit.record({
          actorId: viewer?.id ?? null,
          actorKind: viewer?.role ?? 'anonymous',
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          action: 'rppg_session.stream',
          resourceType: 'rppg_session',
          resourceId: request.params.id,
          patientRef: { kind: 'rppg_session', key: request.params.id },
          outcome: auditOutcome(status),
          status,
          requestId: request.id,
        });
      };
      const opening = options.rppg
        .openStream(token, request.params.id, (v) => (viewer = v))
        .then(
          (stream) => {
            audit(101);
            return stream;
          },
          (error: unknown) => {
            const status = isDomainError(error) ? error.status : 500;
            audit(status);
            send({
              type: 'error',
              code: isDomainError(error) ? error.code : 'INTERNAL_ERROR',
              message: error instanceof Error ? error.message : 'stream refused',
            });
            socket.close(CLOSE_BASE + status, 'refused');
            return null;
          },
        );
      socket.on('message', (data: RawData, isBinary: boolean) => {
        void opening.then(async (stream) => {
          if (stream === null) return;
          try {
            const reply = await stream.receive(bytesOf(data), isBinary);
            if (reply !== null) send(reply);
          } catch (error) {
            request.log.error({ err: error }, 'rPPG frame failed');
            send({
              type: 'error',
              code: 'INTERNAL_ERROR',
              message: 'The frame could not be analysed',
            });
          }
        });
      });
      socket.on('close', () => {
        void opening.then((stream) => {
          stream?.close();
        });
      });
    },
  );
  done();
}
