import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  MqttDeadLetterPageSchema,
  MqttDeadLetterQuerySchema,
  errorResponses,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { MqttDeadLettersService } from '../../../services/mqtt-dead-letters.service.js';
import { currentUser } from '../plugins/auth.plugin.js';

/**
 * GET /api/v1/admin/mqtt-dead-letters: the MQTT messages set aside after failing repeatedly on
 * the server (the poison-message quarantine), for admins, to find the fault and resend the data.
 */
export function mqttDeadLettersRoutes(
  app: FastifyInstance,
  options: { mqttDeadLetters: Pick<MqttDeadLettersService, 'list'> },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/',
    {
      onRequest: [app.authenticate],
      config: { audit: { action: 'mqtt_dead_letters.read', resourceType: 'mqtt_dead_letter' } },
      schema: {
        tags: ['operations'],
        summary: 'MQTT messages set aside after failing repeatedly (admin), newest first',
        description:
          'A device message whose ingestion failed on the server MQTT_POISON_ATTEMPTS times ' +
          '(a 500 or an exception, never a 503) is stored here byte for byte and acknowledged, ' +
          'so it stops holding back the later messages of its session; the device was told ' +
          'MESSAGE_QUARANTINED. Page with `cursor`.',
        security: [{ bearerAuth: [] }],
        querystring: MqttDeadLetterQuerySchema,
        response: { 200: MqttDeadLetterPageSchema, ...errorResponses(400, 401, 403) },
      },
    },
    (request) => options.mqttDeadLetters.list(currentUser(request), request.query),
  );
  done();
}
