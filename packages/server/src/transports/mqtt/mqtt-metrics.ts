import { Counter, type Registry } from 'prom-client';
import type { MqttOutcome } from './device-message.js';

export interface MqttMetrics {
  count(outcome: MqttOutcome): void;
  /** A message that kept failing was stored in the dead letters and acknowledged. */
  deadLettered(): void;
}

/**
 * Prometheus counters of MQTT vitals messages: `vigil_mqtt_messages_total{result}` (accepted /
 * rejected) and `vigil_mqtt_rejections_total{code}` by error-catalogue code, so a fleet sending
 * bad packets shows on a dashboard even though MQTT has no status codes. Codes come from the
 * catalogue, so the label's cardinality is bounded. `vigil_mqtt_dead_letters_total` counts messages
 * set aside after MQTT_POISON_ATTEMPTS failures (poison-messages.ts): any increase is a bug or a
 * value the database refuses, to be looked at in GET /api/v1/admin/mqtt-dead-letters.
 */
export function createMqttMetrics(registry: Registry): MqttMetrics {
  const messages = new Counter({
    name: 'vigil_mqtt_messages_total',
    help: 'MQTT vitals messages handled, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'vigil_mqtt_rejections_total',
    help: 'MQTT vitals messages refused, by error code (ERRORS.md)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'vigil_mqtt_dead_letters_total',
    help: 'MQTT messages stored in mqtt_dead_letters after failing MQTT_POISON_ATTEMPTS times, then acknowledged',
    registers: [registry],
  });
  return {
    deadLettered() {
      deadLetters.inc();
    },
    count(outcome) {
      messages.inc({ result: outcome.ok ? 'accepted' : 'rejected' });
      if (!outcome.ok) rejections.inc({ code: outcome.code });
    },
  };
}
