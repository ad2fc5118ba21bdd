import { ERROR_CATALOGUE } from '../../errors/catalogue.js';
import { sha256Bytes } from '../../adapters/random.js';
import type { MqttDeadLetter } from '../../services/mqtt-dead-letters.service.js';
import { packetIdentity, type MqttRejected } from './device-message.js';

/**
 * The rejection published on a device's errors topic when its message was set aside. MQTT only:
 * over HTTP the same failure is a 500 the client retries, but an MQTT message that is never
 * acknowledged blocks every later one of its session, so the device must be told it is settled.
 * 422: the server understood the message and will not process it (RFC 9110 §15.5.21).
 */
export const MESSAGE_QUARANTINED = {
  code: 'MESSAGE_QUARANTINED',
  ...ERROR_CATALOGUE.MESSAGE_QUARANTINED,
} as const;

export interface PoisonQuarantineDeps {
  /** Failures of one message before it is dead-lettered (MQTT_POISON_ATTEMPTS, at least 1). */
  attempts: number;
  deadLetters: { store(letter: MqttDeadLetter): Promise<unknown> };
  log: {
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Called once per message dead-lettered (metrics). */
  onQuarantined?: (() => void) | undefined;
  /** Distinct failing messages remembered (default 1,000); the least recently failed go first. */
  maxKeys?: number | undefined;
}

/**
 * Decides what to do with an MQTT message whose ingestion failed on the server's side. Shared by
 * the external subscriber and the embedded broker, which both leave such a message
 * unacknowledged so that it comes again (a database outage must not lose it).
 */
export interface PoisonQuarantine {
  /**
   * After a failure (a 5xx other than 503, or an exception): null while the message should stay
   * unacknowledged and come again; the rejection to acknowledge and report once it failed
   * `attempts` times and is stored in the dead letters.
   */
  failed(
    deviceId: string,
    topic: string,
    payload: Buffer,
    failure: { code: string; status: number; message: string },
  ): Promise<MqttRejected | null>;
  /** The message was acknowledged (ingested or refused): its failures are forgotten. */
  settled(topic: string, payload: Buffer): void;
}

/**
 * A message that fails deterministically (a bug, a value the database refuses) would otherwise be
 * redelivered forever, and the broker delivers nothing later of its session (external broker;
 * with MQTT_PARTITION_SESSIONS a whole share of a partition) or of its device (embedded broker)
 * meanwhile. Failures are counted in memory per topic and SHA-256 of the payload; after
 * `attempts` the message goes to the dead-letter table. That insert succeeding shows the database
 * is up, so the failure is the message's own and it is acknowledged; if the insert fails too (an
 * outage) it stays unacknowledged and nothing is lost. 503s (DATABASE_UNAVAILABLE,
 * SERVER_OVERLOADED, SERVICE_UNAVAILABLE) are the server saying "later": they are never counted,
 * or a busy but healthy server would set good messages aside.
 */
export function createPoisonQuarantine(deps: PoisonQuarantineDeps): PoisonQuarantine {
  const maxKeys = deps.maxKeys ?? 1000;
  // A Map iterates in insertion order: re-inserting on each failure keeps the least recently
  // failed first, and it is the one forgotten when the map is full.
  const failures = new Map<string, number>();
  const keyOf = (topic: string, payload: Buffer): string => `${topic}\n${sha256Bytes(payload)}`;
  return {
    async failed(deviceId, topic, payload, failure) {
      if (failure.status < 500 || failure.status === 503) return null;
      const key = keyOf(topic, payload);
      const attempts = (failures.get(key) ?? 0) + 1;
      failures.delete(key);
      failures.set(key, attempts);
      if (failures.size > maxKeys) {
        const oldest = failures.keys().next().value;
        if (oldest !== undefined) failures.delete(oldest);
      }
      if (attempts < deps.attempts) return null;
      try {
        await deps.deadLetters.store({
          deviceId,
          topic,
          payload,
          errorCode: failure.code,
          errorMessage: failure.message,
          attempts,
        });
      } catch (err) {
        deps.log.warn(
          { err, deviceId, attempts },
          'MQTT message could not be dead-lettered either; left unacknowledged',
        );
        return null;
      }
      failures.delete(key);
      deps.onQuarantined?.();
      deps.log.error(
        { deviceId, topic, attempts, code: failure.code },
        'MQTT message failed repeatedly: stored in mqtt_dead_letters and acknowledged',
      );
      let body: unknown;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        body = undefined;
      }
      return { ok: false, ...MESSAGE_QUARANTINED, ...packetIdentity(body, undefined) };
    },
    settled(topic, payload) {
      // Hashing only when something failed: the common path pays nothing.
      if (failures.size > 0) failures.delete(keyOf(topic, payload));
    },
  };
}

/** What an exception says, for the dead letter (admins only; never published to the device). */
export function failureDetail(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
