import type { IngestResult } from '@vigil/protocol';
import type { Clock } from '../adapters/clock.js';
import { DomainError, validationFailed } from '../errors/catalogue.js';
import type { AlertObservation } from '../services/alert-rule-engine.js';
import type { DeviceAuth, DeviceIdentity } from '../services/devices.service.js';
import type { RealtimeEvent, RealtimePublisher } from '../services/realtime-port.js';
import type { IngestMetrics } from './ingest-metrics.js';
import { createPacketOrderer, type PacketOrderer } from './packet-order.js';
import type {
  AlertSink,
  DevicePayload,
  IngestOptions,
  KindWriteUnit,
  Reading,
  SignalKind,
  StoredReading,
} from './signal-kind.js';
import { checkedTimestampMs, deviceTimestampMs } from './timestamps.js';
import { createWriteBatcher, type WriteBatcher } from './write-batcher.js';

export interface IngestCoreDeps {
  devices: {
    resolveUploader(auth: DeviceAuth, deviceId: string): Promise<DeviceIdentity>;
    markSeen(id: string): Promise<void>;
  };
  alerts: AlertSink;
  realtime: RealtimePublisher;
  clock: Clock;
  newId: () => string;
  metrics?: IngestMetrics | undefined;
  /** Most units per group commit (default 512). */
  maxUnitsPerBatch?: number;
  /** Group commits in flight at once (default 1: SQLite has a single writer). */
  concurrentBatches?: number;
}

interface HeldReading<V> {
  timestampMs: number;
  sequence: number | null;
  durationMs: number;
  stored: StoredReading<V>;
}

interface DeviceState<V, S> {
  orderer: PacketOrderer<HeldReading<V>>;
  /** Newest reading timestamp known to be stored (undefined until read from the database). */
  newestTs: number | undefined;
  lastSeenWriteMs: number;
  /** A write failed after its readings were analysed: the next analysed one restarts the stream. */
  restartAnalysis: boolean;
  /**
   * Receive times (`received_at`) of the device's stored requests whose observations may not have
   * reached the alert rules: the newest stored request when this process first loads the device
   * (an earlier process may have stopped between its commit and its rules), and a request of
   * this process whose commit succeeded but whose rules failed. A retried reading of one of them
   * is evaluated by the rules again. Emptied once a request's observations all reach the rules.
   */
  alertsUnknown: Set<number>;
  kind: S;
}

/** Retry-After (s) of an upload refused because it waited too long or the server is stopping. */
const RETRY_AFTER_S = 2;

/** How often a device's last_seen_at is written (it is a hint, not a log). */
const LAST_SEEN_WRITE_INTERVAL_MS = 30_000;

/**
 * Ingest of one kind of signal from every transport: validate, deduplicate, store durably (group
 * commit), assess in time order per device, then hand observations to the alert lifecycle and
 * events to the real-time hub. Readings of one device are processed one request at a time (a
 * promise chain per device), which makes retries and reordering deterministic; different devices
 * proceed concurrently and share commits. What is the kind's own comes from `kind`.
 */
export class SignalIngest<P extends DevicePayload, V, R, A, S> {
  private readonly batcher: WriteBatcher<KindWriteUnit<R, A>>;
  private readonly devices = new Map<string, DeviceState<V, S>>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(
    readonly kind: SignalKind<P, V, R, A, S>,
    private readonly deps: IngestCoreDeps,
  ) {
    this.batcher = createWriteBatcher<KindWriteUnit<R, A>>({
      write: async (units) => {
        await kind.repository.write(units);
      },
      maxUnits: deps.maxUnitsPerBatch ?? 512,
      concurrency: deps.concurrentBatches ?? 1,
    });
  }

  /** Commits performed so far (for metrics and the group-commit test). */
  get commits(): number {
    return this.batcher.batches;
  }

  /**
   * Ingests one payload or a batch. All payloads must name the authenticated device; the batch is
   * all-or-nothing. Returns one result per payload, in request order; a retried payload gets the
   * result of its first delivery.
   */
  async ingest(
    auth: DeviceAuth,
    payloads: readonly P[],
    batch: boolean,
    options: IngestOptions = {},
  ): Promise<IngestResult[]> {
    if (this.closed) throw stopping();
    if (payloads.length === 0) throw validationFailed('(body)', 'at least one packet is required');
    const now = this.deps.clock.now();
    const first = payloads[0];
    if (first === undefined) throw validationFailed('(body)', 'at least one packet is required');
    for (let i = 1; i < payloads.length; i++) {
      if (payloads[i]?.device_id !== first.device_id)
        throw validationFailed(
          `[${i}].device_id`,
          `[${i}].device_id: a batch carries packets of one device`,
        );
    }
    let device: DeviceIdentity;
    try {
      device = await this.deps.devices.resolveUploader(auth, first.device_id);
    } catch (e) {
      if (e instanceof DomainError && e.field === 'device_id' && batch) {
        throw new DomainError(e.code, { field: '[0].device_id' });
      }
      throw e;
    }
    const readings = payloads.map((p, i) => this.normalize(p, i, batch, now, device));
    const { shedAfterMs } = options;
    return this.enqueue(device.device_id, () => {
      // Its turn: refused, nothing stored, if the server is stopping or it waited too long (the
      // device sends it again after Retry-After).
      if (this.closed) throw stopping();
      if (shedAfterMs !== undefined && performance.now() > shedAfterMs)
        throw new DomainError('SERVER_OVERLOADED', {
          message: `The server is overloaded (the upload waited too long for its turn); retry after ${String(RETRY_AFTER_S)} s`,
          retryAfterSeconds: RETRY_AFTER_S,
        });
      return this.process(device, readings, now, batch);
    });
  }

  private normalize(
    p: P,
    index: number,
    batch: boolean,
    nowMs: number,
    device: DeviceIdentity,
  ): Reading<V> {
    const field = (name: string): string => (batch ? `[${index}].${name}` : name);
    const { tsMs, deviceMs } = this.kind.acceptsUnsyncedClock
      ? deviceTimestampMs(p.timestamp, field('timestamp'), nowMs)
      : { tsMs: checkedTimestampMs(p.timestamp, field('timestamp'), nowMs), deviceMs: null };
    return {
      index,
      tsMs,
      deviceTsMs: deviceMs,
      sequence: p.sequence ?? null,
      values: this.kind.normalize(p, field, device),
    };
  }

  private enqueue<T>(deviceId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(deviceId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.chains.set(deviceId, tail);
    void tail.then(() => {
      if (this.chains.get(deviceId) === tail) this.chains.delete(deviceId);
    });
    return next;
  }

  private async state(deviceId: string): Promise<DeviceState<V, S>> {
    let s = this.devices.get(deviceId);
    if (s === undefined) {
      s = {
        orderer: createPacketOrderer<HeldReading<V>>(),
        newestTs: undefined,
        lastSeenWriteMs: 0,
        restartAnalysis: false,
        alertsUnknown: new Set(),
        kind: this.kind.createDeviceState(),
      };
      this.devices.set(deviceId, s);
    }
    if (s.newestTs === undefined) {
      const latest = await this.kind.repository.latest(deviceId);
      s.newestTs = latest?.tsMs ?? -1;
      if (latest !== undefined) s.alertsUnknown.add(latest.receivedAtMs);
    }
    return s;
  }

  private async process(
    device: DeviceIdentity,
    readings: Reading<V>[],
    now: number,
    batch: boolean,
  ): Promise<IngestResult[]> {
    const { kind } = this;
    const state = await this.state(device.device_id);
    const results: IngestResult[] = new Array<IngestResult>(readings.length);
    const unit: KindWriteUnit<R, A> = { readings: [], assessments: [] };
    const live: RealtimeEvent[] = [];
    const observations: AlertObservation[] = [];
    // Retried readings whose first delivery may not have reached the alert rules (a crash
    // between the commit and the rules, or rules that failed): evaluated again before the answer.
    const retriedObservations: AlertObservation[] = [];
    const retriedRequests = new Set<number>();
    const seenInRequest = new Map<number, IngestResult>();
    // Readings stamped with the receive time (unsynchronised clock) are new by construction: each
    // goes 1 ms after the device's newest reading if the receive time is not later, so two of
    // them never share an identity (a device with no clock cannot be deduplicated).
    let lastUnsynced = state.newestTs ?? -1;
    for (const p of readings) {
      if (p.deviceTsMs === null) continue;
      p.tsMs = Math.max(p.tsMs, lastUnsynced + 1);
      lastUnsynced = p.tsMs;
    }
    const sorted = [...readings].sort((a, b) => a.tsMs - b.tsMs);
    let newest = state.newestTs ?? -1;
    const answered = new Map<string, { result: IngestResult; reading: Reading<V> }>();
    let duplicates = 0;
    // If the write fails, the ordering state goes back to before this request: its readings were
    // not stored, so none may stay held (to be assessed later against a missing row) or count as
    // analysed (the device's retry would be "late").
    const restoreOrder = state.orderer.checkpoint();
    const kindStateBefore = kind.copyDeviceState(state.kind);

    // A packet's identity is (device, timestamp); with sequence numbers on both sides, the same
    // timestamp under another sequence is not a retry but a device clock that went back (a
    // resync, a reboot with whole-second timestamps). Answering it as a retry dropped the
    // packet silently; it is refused, naming the field, and nothing of the request is stored.
    const sameTimestamp = (p: Reading<V>, stored: IngestResult): void => {
      if (p.sequence !== null && stored.sequence !== null && p.sequence !== stored.sequence)
        throw new DomainError('TIMESTAMP_TAKEN', {
          field: batch ? `[${String(p.index)}].timestamp` : 'timestamp',
          message: `timestamp ${String(p.tsMs)} is stored already with sequence ${String(stored.sequence)}, not ${String(p.sequence)}: did the device clock go back?`,
        });
    };
    try {
      for (const p of sorted) {
        const again = seenInRequest.get(p.tsMs);
        if (again !== undefined) {
          sameTimestamp(p, again);
          results[p.index] = again;
          duplicates++;
          continue;
        }
        // Anything newer than the newest stored reading is new; older ones may be retries.
        if (p.tsMs <= newest) {
          const found = await kind.repository.findByDeviceTs(device.device_id, p.tsMs);
          if (found !== undefined) {
            const existing = found.result;
            sameTimestamp(p, existing);
            results[p.index] = existing;
            seenInRequest.set(p.tsMs, existing);
            duplicates++;
            if (state.alertsUnknown.has(found.receivedAtMs)) {
              // Assessed as a late reading is (no stream analysis: the analyser's stream has
              // moved on, or is gone with the process), on a scratch state; nothing is stored
              // or published again, only the rules see the reading.
              const again = await kind.assess({
                stored: {
                  reading: p,
                  id: existing.id,
                  deviceId: device.device_id,
                  patientId: device.patient_id,
                  receivedAtMs: found.receivedAtMs,
                },
                state: kind.copyDeviceState(state.kind),
                gapBefore: false,
                late: true,
                nowMs: now,
              });
              if (again.observation !== null) retriedObservations.push(again.observation);
              retriedRequests.add(found.receivedAtMs);
            }
            continue;
          }
        }
        const stored: StoredReading<V> = {
          reading: p,
          id: this.deps.newId(),
          deviceId: device.device_id,
          patientId: device.patient_id,
          receivedAtMs: now,
        };
        const record = kind.toRecord(stored);
        unit.readings.push(record);
        const r: IngestResult = {
          id: stored.id,
          device_id: device.device_id,
          timestamp: p.tsMs,
          sequence: p.sequence,
        };
        results[p.index] = r;
        answered.set(stored.id, { result: r, reading: p });
        seenInRequest.set(p.tsMs, r);
        if (p.tsMs > newest) newest = p.tsMs;
        const event = kind.liveEvent(record, stored);
        if (event !== null) live.push(event);

        const durationMs = kind.durationMs(p.values);
        const held: HeldReading<V> = {
          timestampMs: p.tsMs,
          sequence: p.sequence,
          durationMs,
          stored,
        };
        // Readings without stream content carry no stream state: assess them at once.
        const offered =
          durationMs === 0
            ? { released: [{ packet: held, gapBefore: false }], late: false }
            : state.orderer.offer(held);
        // A late reading is assessed without its stream content (it would corrupt the stream's
        // state) and not shown to the alert rules, whose durations run forward in time.
        const toAssess = offered.late
          ? [{ packet: held, gapBefore: false, late: true }]
          : offered.released.map((rel) => ({ ...rel, late: false }));
        for (const rel of toAssess) {
          const analysed = !rel.late && rel.packet.durationMs > 0;
          const restart = rel.gapBefore || (analysed && state.restartAnalysis);
          if (analysed) state.restartAnalysis = false;
          const assessment = await kind.assess({
            stored: rel.packet.stored,
            state: state.kind,
            gapBefore: restart,
            late: rel.late,
            nowMs: now,
          });
          if (assessment.record !== null) unit.assessments.push(assessment.record);
          const answer = answered.get(rel.packet.stored.id);
          if (answer !== undefined && kind.answerOf !== undefined) {
            Object.assign(answer.result, kind.answerOf(assessment.record, answer.reading));
            answered.delete(rel.packet.stored.id);
          }
          live.push(...assessment.events);
          if (!rel.late && assessment.observation !== null)
            observations.push(assessment.observation);
        }
      }
    } catch (error) {
      // Refused mid-request (TIMESTAMP_TAKEN): what was offered to the orderer and the analyser
      // goes back, as when the write fails.
      restoreOrder();
      state.kind = kindStateBefore;
      throw error;
    }

    // New readings still held for a missing earlier one: assessed later, answered without it.
    if (kind.answerOf !== undefined)
      for (const a of answered.values()) Object.assign(a.result, kind.answerOf(null, a.reading));

    if (unit.readings.length > 0) {
      // Until its observations reach the rules, this request's are unknown (a retry of it
      // evaluates them again).
      state.alertsUnknown.add(now);
      try {
        await this.batcher.submit(unit);
      } catch (error) {
        state.alertsUnknown.delete(now);
        restoreOrder();
        state.kind = kindStateBefore;
        // The analyser has consumed stream content that was not stored: start it afresh.
        state.restartAnalysis = true;
        throw error;
      }
      state.newestTs = Math.max(state.newestTs ?? -1, newest);
      if (now - state.lastSeenWriteMs >= LAST_SEEN_WRITE_INTERVAL_MS) {
        state.lastSeenWriteMs = now;
        await this.deps.devices.markSeen(device.id);
      }
      for (const e of live) this.deps.realtime.publish(e);
      if (device.patient_id !== null)
        this.deps.alerts.heard(device.patient_id, device.device_id, now);
    }
    if (device.patient_id !== null)
      // Retried readings first: they are older than this request's new ones.
      for (const o of [...retriedObservations, ...observations])
        await this.deps.alerts.observe(device.patient_id, device.device_id, o);
    // Every observation of this request reached the rules: the retried requests' are known now;
    // with new readings evaluated, older requests are behind the rules (their durations run
    // forward in time) and are not evaluated again.
    if (unit.readings.length > 0) state.alertsUnknown.clear();
    else for (const r of retriedRequests) state.alertsUnknown.delete(r);
    this.deps.metrics?.count(kind.name, unit.readings.length, duplicates);
    return results;
  }

  /**
   * Stops taking uploads: new ones and those still waiting for their turn are refused with 503
   * and Retry-After (nothing of them stored); uploads being processed finish. The first step of a
   * graceful stop, so that it does not wait for a backlog.
   */
  stopAccepting(): void {
    this.closed = true;
  }

  /** Stops accepting readings and waits for pending writes. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.chains.values()]);
    await this.batcher.close();
  }
}

function stopping(): DomainError {
  return new DomainError('SERVICE_UNAVAILABLE', {
    message: `The server is stopping; retry after ${String(RETRY_AFTER_S)} s`,
    retryAfterSeconds: RETRY_AFTER_S,
  });
}
