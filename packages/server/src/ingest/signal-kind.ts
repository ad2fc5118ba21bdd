import type { DeviceKind, EcgInputProfile, IngestResult } from '@vigil/protocol';
import type { AlertObservation } from '../services/alert-rule-engine.js';
import type { DeviceAuth, DeviceIdentity } from '../services/devices.service.js';
import type { RealtimeEvent } from '../services/realtime-port.js';

/**
 * The seam between the ingest core and a kind of signal. The core (ingest-core.ts) does what
 * every kind shares: device authentication, idempotency on (device, timestamp), per-device
 * ordering, group commit, the alert lifecycle, real-time publishing and metrics. A kind
 * (src/kinds/<kind>/) supplies only what is its own: how its payload is normalised, how a
 * reading is analysed and assessed, and how it is stored.
 */

/** What every device payload carries, whatever its kind: the envelope of seed 000. */
export interface DevicePayload {
  device_id: string;
  /** Epoch seconds (< 1e11) or milliseconds. */
  timestamp: number;
  sequence?: number | undefined;
}

/** A payload that passed the core's checks (time window) and the kind's (its own fields). */
export interface Reading<V> {
  /** Position in the request (results are returned in request order). */
  index: number;
  tsMs: number;
  /**
   * What the device sent as its timestamp (epoch ms) when it was clearly unsynchronised and
   * `tsMs` is the server's receive time instead; null when `tsMs` is the device's own.
   */
  deviceTsMs: number | null;
  sequence: number | null;
  /** The kind's normalised values. */
  values: V;
}

/** A new reading, with the identity the core gave it. */
export interface StoredReading<V> {
  reading: Reading<V>;
  id: string;
  deviceId: string;
  patientId: string | null;
  receivedAtMs: number;
}

/** What a kind makes of one reading once it is its turn (time order per device). */
export interface Assessment<A> {
  /** Stored in the same group commit as the reading (e.g. a prediction), or null. */
  record: A | null;
  /** Published once the commit is durable. */
  events: RealtimeEvent[];
  /** Handed to the alert lifecycle once durable; null when the rules have nothing to see. */
  observation: AlertObservation | null;
}

export interface AssessInput<V, S> {
  stored: StoredReading<V>;
  /** The kind's state for this device (created by `createDeviceState`). */
  state: S;
  /** A gap (or the first reading) precedes this one: streaming analysis restarts. */
  gapBefore: boolean;
  /** Arrived after later readings: its stream content must not be analysed. */
  late: boolean;
  nowMs: number;
}

/** One group-commit unit of a kind: the new readings of one request and their assessments. */
export interface KindWriteUnit<R, A> {
  readings: R[];
  assessments: A[];
}

/** Where a stored reading sits in the device's stream and when its request was received. */
export interface StoredPosition {
  /** The reading's timestamp (epoch ms). */
  tsMs: number;
  /** When the request that stored it was received (epoch ms; one value per request). */
  receivedAtMs: number;
}

/** A stored reading found again: the answer its first delivery got, and when that was. */
export interface StoredAnswer {
  /** The ingest result of its first delivery (including the kind's `answerOf` fields). */
  result: IngestResult;
  /** When the request that stored it was received (epoch ms). */
  receivedAtMs: number;
  /**
   * What the stored reading holds, as the kind's `contentOf` puts it: a packet at its timestamp
   * without sequence numbers on both sides is a retry only if it holds the same.
   */
  content?: string;
}

/** A kind's storage. It takes domain records and owns their encoding into rows. */
export interface SignalKindRepository<R, A> {
  /** The device's newest stored reading (by timestamp). */
  latest(deviceId: string): Promise<StoredPosition | undefined>;
  /** The stored reading with this identity, as its first delivery was answered. */
  findByDeviceTs(deviceId: string, tsMs: number): Promise<StoredAnswer | undefined>;
  /** Writes many units in ONE transaction (group commit). */
  write(units: readonly KindWriteUnit<R, A>[]): Promise<void>;
}

export interface SignalKind<P extends DevicePayload, V, R, A, S> {
  /**
   * Names the kind in metrics and logs (`ecg-vitals`, `pulse-oximetry`), and in the kinds a
   * device has sent (`device_kinds`, the device's `kinds`).
   */
  readonly name: DeviceKind;
  /**
   * true: a clearly unsynchronised timestamp (before 2020, more than a day ahead) is replaced by
   * the receive time and flagged (`deviceTimestampMs`); otherwise it is refused with 400.
   */
  readonly acceptsUnsyncedClock?: boolean;
  /**
   * Fields the kind adds to a new reading's upload answer from its assessment (null while the
   * reading waits for a missing earlier one), e.g. ECG vitals' `prediction`.
   */
  answerOf?(assessment: A | null, reading: Reading<V>): Record<string, unknown>;
  /**
   * The values as a comparable string (equal to `StoredAnswer.content` of the stored reading
   * they would be stored as). Without sequence numbers, the only way to tell a retry from a new
   * reading whose device clock went back onto a stored timestamp (seed 000's ESP32 sends none).
   */
  contentOf?(values: V): string;
  /**
   * Checks what the payload's JSON schema cannot (finiteness, cross-field rules) and converts it
   * (with the uploading device's settings, e.g. its ECG input profile); throws VALIDATION_FAILED
   * naming `field(name)` (which adds `[i].` in a batch).
   */
  normalize(payload: P, field: (name: string) => string, device: DeviceIdentity): V;
  /**
   * The ECG input profile a reading normalised under `auto` (the device has none) locks its
   * device to, or null (its samples fit more than one unit, or the kind has no units): the core
   * stores it as the device's, and reads the device's later readings in it.
   */
  inputLockOf?(values: V): EcgInputProfile | null;
  /**
   * Length of the reading's stream content (ms). Readings with content (> 0) go through the
   * device's orderer, which detects gaps and late arrivals; others are assessed at once.
   */
  durationMs(values: V): number;
  /** The domain record stored for a new reading. */
  toRecord(stored: StoredReading<V>): R;
  /** The live event of a new reading, published once durable (null: none). */
  liveEvent(record: R, stored: StoredReading<V>): RealtimeEvent | null;
  createDeviceState(): S;
  /**
   * A copy of a device's state, put back if the write of the request that assessed readings
   * since fails (an `assess` replaces what it changes, so a shallow copy does).
   */
  copyDeviceState(state: S): S;
  assess(input: AssessInput<V, S>): Promise<Assessment<A>>;
  readonly repository: SignalKindRepository<R, A>;
  /**
   * Several instances (cluster/): how the owner of a device finds and rebuilds what other
   * instances stored. Absent: the kind is assessed wherever its readings arrive.
   */
  readonly stored?: StoredStream<V, S>;
}

/** A kind's stored readings as the owner of a device reads them back (several instances). */
export interface StoredStream<V, S> {
  /**
   * Readings of the device stamped after `afterTs`, or received at or after `receivedSinceMs`
   * whatever their stamp (a device whose clock stepped back), with no assessment yet, oldest
   * first.
   */
  unassessedAfter(
    deviceId: string,
    q: { afterTs: number; receivedSinceMs: number; limit: number },
  ): Promise<StoredReading<V>[]>;
  /** Timestamp of the device's newest assessed reading (undefined: none). */
  lastAssessedTs(deviceId: string): Promise<number | undefined>;
  /** Devices with readings stored at or after `sinceMs`. */
  devicesSince(sinceMs: number): Promise<string[]>;
  /**
   * Feeds the device's stored stream content of (`fromTs`, `toTs`] to its (fresh) state,
   * discarding what is found: a new owner's warm-up (beat history, rhythm trackers). Returns
   * the last packet fed, after which the stream continues, or null when nothing was stored.
   */
  warmUp(input: {
    deviceId: string;
    state: S;
    fromTs: number;
    toTs: number;
  }): Promise<{ timestampMs: number; sequence: number | null; durationMs: number } | null>;
}

/** What the alert lifecycle gets after a batch is durable. */
export interface AlertSink {
  observe(patientId: string, deviceId: string, observation: AlertObservation): Promise<void>;
  /** Marks the device as heard from now (for the device-silent rule). */
  heard(patientId: string, deviceId: string, atMs: number): void;
}

/** How long an upload may wait for its turn. */
export interface IngestOptions {
  /**
   * Monotonic time (`performance.now()`, ms) after which the upload's turn must not start: it
   * is refused with 503 SERVER_OVERLOADED and Retry-After, nothing stored (undefined: no limit).
   */
  shedAfterMs?: number | undefined;
}

/** What a transport needs of a kind's ingest (SignalIngest implements it). */
export interface PayloadIngest<P> {
  ingest(
    auth: DeviceAuth,
    payloads: readonly P[],
    batch: boolean,
    options?: IngestOptions,
  ): Promise<IngestResult[]>;
}

/** The columns every kind's reading table starts with: the reading's identity and envelope. */
export function envelopeRow(r: StoredReading<unknown>): {
  id: string;
  device_id: string;
  patient_id: string | null;
  ts: number;
  sequence: number | null;
  received_at: number;
} {
  return {
    id: r.id,
    device_id: r.deviceId,
    patient_id: r.patientId,
    ts: r.reading.tsMs,
    sequence: r.reading.sequence,
    received_at: r.receivedAtMs,
  };
}

/** A stored reading's row as the ingest result its first delivery got. */
export function ingestResultOf(row: {
  id: string;
  device_id: string;
  ts: number;
  sequence: number | null;
}): IngestResult {
  return { id: row.id, device_id: row.device_id, timestamp: row.ts, sequence: row.sequence };
}
