import { OximetryBodySchema, validateOximetryBody, type OximetryPacket } from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { PayloadIngest } from '../../../ingest/signal-kind.js';
import { deviceIngestRoute } from './device-ingest.route.js';

/** Pulse oximeter readings (src/kinds/pulse-oximetry/): the same upload rules as vitals. */
export function oximetryRoutes(
  app: FastifyInstance,
  options: { ingest: PayloadIngest<OximetryPacket> },
  done: (error?: Error) => void,
): void {
  deviceIngestRoute(app, {
    audit: { action: 'oximetry.ingest', resourceType: 'oximetry' },
    ingest: options.ingest,
    body: OximetryBodySchema,
    validate: validateOximetryBody,
    tags: ['oximetry'],
    summary: 'Upload a pulse oximeter reading (or an array of them); answered once durable',
    description:
      '`{device_id, timestamp, spo2_percent, pulse_rate_bpm, perfusion_index?}`. `timestamp` ' +
      'below 1e11 is epoch seconds, otherwise epoch ms. A retried reading (same device and ' +
      'timestamp) returns its original result. A batch is all-or-nothing.',
  });
  done();
}
