import {
  errorResponses,
  IngestBatchResultSchema,
  IngestResultSchema,
  type DeviceBodyCheck,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import type { PayloadIngest } from '../../../ingest/signal-kind.js';
import { forwardToOwner, type OwnerForwarding } from '../forward-to-owner.js';
import { inBody } from '../plugins/audit.plugin.js';
import { currentDevice } from '../plugins/auth.plugin.js';
import { validatorCompiler } from '../validator.js';

/**
 * `POST /` of a kind of signal: a device uploads one payload (201 with its identity) or an array
 * of them (200 with one result each, all-or-nothing), authenticated by its API key and answered
 * once durable. Every kind's upload behaves alike because it is this one route.
 */
export function deviceIngestRoute<P extends { device_id: string }>(
  app: FastifyInstance,
  o: {
    ingest: PayloadIngest<P>;
    body: TSchema;
    validate: (input: unknown) => DeviceBodyCheck<P>;
    tags: string[];
    summary: string;
    description: string;
    bodyLimit?: number;
    /** The audit action and resource type of an upload (e.g. vitals.ingest, vitals). */
    audit: { action: string; resourceType: string };
    /** The 201 and 200 (batch) answers, when the kind adds fields (default IngestResult). */
    result?: TSchema;
    batchResult?: TSchema;
    /** Several instances: uploads go to the instance that analyses the device. */
    forward?: OwnerForwarding | undefined;
  },
): void {
  app.post<{ Body: P | P[] }>(
    '/',
    {
      onRequest: [app.authenticateDevice],
      // One event per device per flush window: auditing costs ingest a map lookup per request.
      config: { audit: { ...o.audit, patient: inBody('device_id', 'device'), coalesce: true } },
      ...(o.bodyLimit === undefined ? {} : { bodyLimit: o.bodyLimit }),
      ...(o.forward === undefined
        ? {}
        : {
            preParsing: forwardToOwner(
              o.forward,
              o.bodyLimit ?? app.initialConfig.bodyLimit ?? 1_048_576,
            ),
          }),
      // The body is one payload or an array of them: validate the branch its shape selects, so
      // errors name the field; other parts use the app's validator.
      validatorCompiler: (route) =>
        route.httpPart === 'body'
          ? (input: unknown) => {
              const r = o.validate(input);
              return r.errors === undefined ? { value: r.value } : { error: r.errors as never };
            }
          : validatorCompiler(route),
      schema: {
        tags: o.tags,
        summary: o.summary,
        description: o.description,
        security: [{ deviceKey: [] }],
        body: o.body,
        response: {
          201: o.result ?? IngestResultSchema,
          200: o.batchResult ?? IngestBatchResultSchema,
          // 409: a timestamp stored already under another sequence (TIMESTAMP_TAKEN); 503: a
          // server shedding load or stopping (SERVER_OVERLOADED, SERVICE_UNAVAILABLE), to retry.
          ...errorResponses(400, 401, 403, 404, 409, 413, 503),
        },
      },
    },
    async (request, reply) => {
      // Checked by `validate` above: one P or an array of them.
      const body = request.body as P | P[];
      const wait = { shedAfterMs: request.shedAfterMs };
      if (Array.isArray(body)) {
        const items = await o.ingest.ingest(currentDevice(request), body, true, wait);
        return reply.status(200).send({ count: items.length, items });
      }
      const results = await o.ingest.ingest(currentDevice(request), [body], false, wait);
      const [result] = results;
      if (result === undefined) throw new Error('ingest returned no result');
      return reply.status(201).send(result);
    },
  );
}
