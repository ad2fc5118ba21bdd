import type { MqttDeadLetterPage, MqttDeadLetterQuery, MqttDeadLetterView } from '@vigil/protocol';
import type { Clock } from '../adapters/clock.js';
import { DomainError } from '../errors/catalogue.js';
import type { AuthUser } from './user-view.js';
import type {
  MqttDeadLetterRow,
  MqttDeadLettersRepository,
} from '../repositories/mqtt-dead-letters.repository.js';
import { decodeAuditCursor } from './audit.service.js';

/** A message set aside after failing `attempts` times: what the device sent, and why it failed. */
export interface MqttDeadLetter {
  deviceId: string;
  topic: string;
  /** The payload byte for byte. */
  payload: Buffer;
  /** The last failure's catalogue code (INTERNAL_ERROR for an exception). */
  errorCode: string;
  /** The last failure's message, for the admin (it may name internals: never sent to devices). */
  errorMessage: string;
  attempts: number;
}

const MAX_ERROR_MESSAGE = 2000;

/**
 * PostgreSQL text cannot hold U+0000: a failure message quoting the very value that poisoned the
 * message must not make the dead letter fail the same way.
 */
function storableText(s: string, max = Number.POSITIVE_INFINITY): string {
  return s.replaceAll('\u0000', '\uFFFD').slice(0, max);
}

function toView(row: MqttDeadLetterRow): MqttDeadLetterView {
  return {
    id: row.id,
    received_at: row.received_at,
    device_id: row.device_id,
    topic: row.topic,
    payload_base64: row.payload.toString('base64'),
    error_code: row.error_code,
    error_message: row.error_message,
    attempts: row.attempts,
  };
}

/** MQTT dead letters: stored by the poison-message quarantine, read by admins. */
export class MqttDeadLettersService {
  constructor(
    private readonly deps: {
      deadLetters: MqttDeadLettersRepository;
      clock: Clock;
      newId: () => string;
    },
  ) {}

  /** Stores a dead letter; rejects when the database does (then the message must not be acknowledged). */
  async store(letter: MqttDeadLetter): Promise<string> {
    const id = this.deps.newId();
    await this.deps.deadLetters.insert({
      id,
      received_at: this.deps.clock.now(),
      device_id: storableText(letter.deviceId),
      topic: storableText(letter.topic),
      payload: letter.payload,
      error_code: storableText(letter.errorCode),
      error_message: storableText(letter.errorMessage, MAX_ERROR_MESSAGE),
      attempts: letter.attempts,
    });
    return id;
  }

  /** GET /api/v1/admin/mqtt-dead-letters: newest first, keyset-paged like the audit trail. */
  async list(actor: AuthUser, q: MqttDeadLetterQuery): Promise<MqttDeadLetterPage> {
    if (actor.role !== 'admin') throw new DomainError('FORBIDDEN');
    const before = q.cursor === undefined ? undefined : decodeAuditCursor(q.cursor);
    const rows = await this.deps.deadLetters.list(before, q.limit + 1);
    const items = rows.slice(0, q.limit).map(toView);
    const last = items.at(-1);
    return {
      items,
      next_cursor:
        rows.length > q.limit && last !== undefined
          ? Buffer.from(`${String(last.received_at)}:${last.id}`).toString('base64url')
          : null,
    };
  }
}
