import { Counter, type Registry } from 'prom-client';
import type { MqttOutcome } from './device-message.js';

export interface MqttMetrics {
  count(outcome: MqttOutcome): void;
}

/**
 * Prometheus counters of MQTT vitals messages: `vigil_mqtt_messages_total{result}` (accepted /
 * rejected) and `vigil_mqtt_rejections_total{code}` by error-catalogue code, so a fleet sending
 * bad packets shows on a dashboard even though MQTT has no status codes. Codes come from the
 * catalogue, so the label's cardinality is bounded.
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
  return {
    count(outcome) {
      messages.inc({ result: outcome.ok ? 'accepted' : 'rejected' });
      if (!outcome.ok) rejections.inc({ code: outcome.code });
    },
  };
}
