import type { DeviceKind, EcgInputProfile, IngestResult } from '@vigil/protocol';
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
    /** Records that the device sent this kind (written once per device and kind). */
    sent(deviceId: string, kind: DeviceKind): Promise<void>;
    /**
     * The device with its ECG input profile as stored now (an `auto` identity may be stale: a
     * cached key, an MQTT session, another instance's lock). Absent: identities are taken as given.
     */
    withStoredEcgInput?(device: DeviceIdentity): Promise<DeviceIdentity>;
    /**
     * Locks an `auto` device to a profile (kept while it is still auto); returns the device's
     * profile as stored after (another request's or instance's lock wins).
     */
    lockEcgInput?(device: DeviceIdentity, profile: EcgInputProfile): Promise<EcgInputProfile>;
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
  /**
   * Several instances on one PostgreSQL (cluster/): a device's readings are assessed only by the
   * holder of its partition; other instances store them and tell the owner, which reads them
   * back in order (`SignalKind.stored`). Absent: every reading is assessed here.
   */
  cluster?: {
    owns(deviceId: string): boolean;
    /** Tells the device's owner that readings of it were stored here (NOTIFY). */
    storedElsewhere(deviceId: string): void;
  };
}

/**
 * Stored ECG a new owner feeds its analysis before continuing a device's stream, ms: as long as
 * the rhythm tracker's memory, so that an AF episode under way is found when and as a single
 * instance finds it. The tracker opens an episode after a 32-beat window (about 20 s at 90 bpm)
 * and 30 s of uninterrupted AF decisions; with 10 s, the AF device of `npm run test:cluster`,
 * moved at 45 s, had its episode found again only after the run's end (0 af_onset alerts).
 */
const WARM_UP_MS = 60_000;
/**
 * How far behind the stream's position catching up looks for late packets, and how far back in
 * receipt time for packets stamped before that, ms.
 */
const LATE_LOOKBACK_MS = 60_000;
/** Stored readings read back per query when catching up. */
const CATCH_UP_BATCH = 200;

interface HeldReading<V> {
  timestampMs: number;
  sequence: number | null;
  durationMs: number;
  receivedAtMs: number;
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
  /** When a request or catch-up of the device last used this state (clock ms): idle eviction. */
  lastUsedMs: number;
}

/** Retry-After (s) of an upload refused because it waited too long or the server is stopping. */
const RETRY_AFTER_S = 2;

/** A request's readings after deduplication: the new ones, in time order, and every answer. */
interface Accepted<V, R> {
  results: IngestResult[];
  fresh: StoredReading<V>[];
  records: R[];
  /** The live event of each new reading (aligned with `fresh`). */
  events: (RealtimeEvent | null)[];
  answered: Map<string, { result: IngestResult; reading: Reading<V> }>;
  /** Newest timestamp among the stored and the new readings. */
  newest: number;
  duplicates: number;
  /**
   * Retried readings whose first delivery may not have reached the alert rules (their request's
   * receive time is in the device's `alertsUnknown`): evaluated by the rules again.
   */
  retried: StoredReading<V>[];
}

/** What one pass of assessment collects for its commit. */
interface AssessBatch<A> {
  assessments: A[];
  live: RealtimeEvent[];
  observations: { patientId: string | null; observation: AlertObservation }[];
}

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
  private readonly catchUpPending = new Set<string>();
  /** When last_seen_at was written for devices this instance only stores (no state). */
  private readonly lastSeenWrites = new Map<string, number>();
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
    const normalized = await this.normalizeAll(payloads, batch, now, device);
    device = normalized.device;
    const { readings } = normalized;
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
      const once = (): Promise<IngestResult[]> =>
        this.clustered() && this.deps.cluster?.owns(device.device_id) === false
          ? this.storeOnly(device, readings, now, batch)
          : this.process(device, readings, now, batch);
      return once().catch((error: unknown) => {
        // Another instance stored one of these readings between this one's read of the stored
        // ones and its commit (a device's retry, or an owner slower than the forwarding timeout,
        // while the first delivery was still being stored elsewhere): nothing of this request
        // was committed, and a second pass finds the reading stored and answers it as a retry
        // instead of a server error (test:cluster saw 500s from this race).
        if (!(error instanceof DomainError && error.code === 'PACKET_STORED_CONCURRENTLY'))
          throw error;
        return once();
      });
    });
  }

  /** Whether the first stream reading does not continue what the device's analysis saw last. */
  private leavesGap(state: DeviceState<V, S>, readings: Reading<V>[]): boolean {
    if (state.orderer.held > 0) return true;
    const last = state.orderer.lastTimestampMs;
    const first = readings.find((r) => this.kind.durationMs(r.values) > 0);
    if (last === null || first === undefined) return false;
    // Contiguous packets start one packet after the last; 1.5 packets leaves room for jitter.
    return first.tsMs - last > 1.5 * this.kind.durationMs(first.values);
  }

  private clustered(): boolean {
    return this.deps.cluster !== undefined && this.kind.stored !== undefined;
  }

  /**
   * Another instance stored readings of this device: if it is ours, read them back and assess
   * them in order (coalesced: one catch-up waits per device at a time).
   */
  storedElsewhere(deviceId: string): void {
    if (!this.clustered() || this.closed || this.deps.cluster?.owns(deviceId) !== true) return;
    if (this.catchUpPending.has(deviceId)) return;
    this.catchUpPending.add(deviceId);
    this.enqueue(deviceId, async () => {
      this.catchUpPending.delete(deviceId);
      await this.catchUp(deviceId);
    }).catch(() => undefined);
  }

  /**
   * This instance took a partition over: devices heard lately whose partition it is catch up
   * (readings stored while it had no owner), rebuilding their analysis from stored ECG.
   */
  async adopt(isAdopted: (deviceId: string) => boolean, sinceMs: number): Promise<void> {
    const stored = this.kind.stored;
    if (!this.clustered() || stored === undefined) return;
    for (const deviceId of await stored.devicesSince(sinceMs))
      if (isAdopted(deviceId)) this.storedElsewhere(deviceId);
  }

  /** This instance gave devices up: their analysis state goes (a later owner rebuilds it). */
  forget(isGone: (deviceId: string) => boolean): void {
    for (const deviceId of [...this.devices.keys()])
      if (isGone(deviceId)) this.forgetDevice(deviceId).catch(() => undefined);
  }

  /**
   * A device stopped serving its patient (retired, purged, handed on, unassigned): its state
   * goes once its requests under way are done, so `devices` holds the devices in service, not
   * every device heard since start (a 12-lead one's is its 10 s window, ~0.5 MB). A device that
   * sends again (handed on) starts afresh: the newest stored reading is read back.
   */
  forgetDevice(deviceId: string): Promise<void> {
    if (!this.devices.has(deviceId)) return Promise.resolve();
    return this.enqueue(deviceId, () => {
      this.devices.delete(deviceId);
      return Promise.resolve();
    });
  }

  /**
   * Drops the state of devices in service that sent nothing since `idleSinceMs` (clock ms), as
   * forgetDevice does for a released one: a device that stays assigned but falls silent (taken
   * off, battery out) kept its state for good, a 12-lead one's 10 s window ~0.5 MB. Its next
   * reading starts as after a restart: the newest stored reading is read back, and the stream's
   * analysis starts afresh. A device with readings held for a missing earlier one keeps its state
   * (they are stored; dropping them would leave them never assessed). Resolves once evicted.
   */
  async evictIdle(idleSinceMs: number): Promise<number> {
    const idle = (s: DeviceState<V, S> | undefined) =>
      s !== undefined && s.lastUsedMs < idleSinceMs && s.orderer.held === 0;
    let evicted = 0;
    await Promise.all(
      [...this.devices.entries()]
        .filter(([, s]) => idle(s))
        .map(([deviceId]) =>
          this.enqueue(deviceId, () => {
            // Looked at again in the device's turn: a request may have used it meanwhile.
            if (idle(this.devices.get(deviceId))) {
              this.devices.delete(deviceId);
              evicted++;
            }
            return Promise.resolve();
          }),
        ),
    );
    return evicted;
  }

  /** Devices whose ingest state this instance holds (tests, memory checks). */
  get devicesTracked(): number {
    return this.devices.size;
  }

  /**
   * Normalises a request's payloads with the device's settings. A device without an ECG input
   * profile (`auto`) is locked to the unit of its first reading that fits one unit only (the
   * kind's `inputLockOf`), stored as its profile before anything of the request is: its later
   * readings, in this batch and after (any instance, after restarts), are read in that unit, and
   * one that does not fit it is refused. Reading each packet in the unit it looked like stored a
   * `[0, 80, 0]` packet of a mV stream as ADC counts between mV neighbours (usertest 4).
   */
  private async normalizeAll(
    payloads: readonly P[],
    batch: boolean,
    now: number,
    given: DeviceIdentity,
  ): Promise<{ device: DeviceIdentity; readings: Reading<V>[] }> {
    const all = (d: DeviceIdentity) => payloads.map((p, i) => this.normalize(p, i, batch, now, d));
    const { devices } = this.deps;
    const { kind } = this;
    if (
      kind.inputLockOf === undefined ||
      devices.withStoredEcgInput === undefined ||
      devices.lockEcgInput === undefined ||
      given.ecg_input.preset !== 'auto'
    )
      return { device: given, readings: all(given) };
    const device = await devices.withStoredEcgInput(given);
    if (device.ecg_input.preset !== 'auto') return { device, readings: all(device) };
    let lock: EcgInputProfile | null = null;
    const readings: Reading<V>[] = [];
    for (const [i, p] of payloads.entries()) {
      const r = this.normalize(
        p,
        i,
        batch,
        now,
        lock === null ? device : { ...device, ecg_input: lock },
      );
      lock ??= kind.inputLockOf(r.values);
      readings.push(r);
    }
    if (lock === null) return { device, readings };
    // The stored lock (this one, or a concurrent request's or instance's) reads the whole
    // request: packets before the one that locked fitted both units, and are read in this one.
    const locked = { ...device, ecg_input: await devices.lockEcgInput(device, lock) };
    return { device: locked, readings: all(locked) };
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
        lastUsedMs: 0,
      };
      this.devices.set(deviceId, s);
    }
    s.lastUsedMs = this.deps.clock.now();
    if (s.newestTs === undefined) {
      const latest = await this.kind.repository.latest(deviceId);
      s.newestTs = latest?.tsMs ?? -1;
      if (latest !== undefined) s.alertsUnknown.add(latest.receivedAtMs);
      // A device new to this instance in a cluster may have been analysed elsewhere until now:
      // its stream continues from what was stored (the last seconds feed the analysers).
      const stored = this.clustered() ? this.kind.stored : undefined;
      if (stored !== undefined) {
        const lastTs = await stored.lastAssessedTs(deviceId);
        if (lastTs !== undefined) {
          const last = await stored.warmUp({
            deviceId,
            state: s.kind,
            fromTs: lastTs - WARM_UP_MS,
            toTs: lastTs,
          });
          if (last !== null) s.orderer.resumeAfter(last);
        }
      }
    }
    return s;
  }

  /** Reads back the device's readings stored elsewhere and assesses them in order. */
  private async catchUp(deviceId: string): Promise<void> {
    const stored = this.kind.stored;
    if (stored === undefined || this.closed || this.deps.cluster?.owns(deviceId) !== true) return;
    const state = await this.state(deviceId);
    const now = this.deps.clock.now();
    for (;;) {
      const after = state.orderer.lastTimestampMs ?? (await stored.lastAssessedTs(deviceId)) ?? -1;
      // From a little before the stream's position: a packet stored elsewhere after later ones
      // were assessed is assessed too (as late: without its stream content). And whatever was
      // received lately: a device whose clock stepped back hours sends packets stamped far
      // before the position, which the orderer takes for a new stream (packet-order.ts).
      const rows = (
        await stored.unassessedAfter(deviceId, {
          afterTs: after - LATE_LOOKBACK_MS,
          receivedSinceMs: now - LATE_LOOKBACK_MS,
          limit: CATCH_UP_BATCH,
        })
      ).filter((r) => !state.orderer.isHeld(r.reading.tsMs));
      if (rows.length === 0) return;
      const out: AssessBatch<A> = { assessments: [], live: [], observations: [] };
      const restoreOrder = state.orderer.checkpoint();
      const kindStateBefore = this.kind.copyDeviceState(state.kind);
      for (const stored of rows) {
        state.newestTs = Math.max(state.newestTs ?? -1, stored.reading.tsMs);
        await this.offerAndAssess(state, stored, now, out, undefined);
      }
      if (out.assessments.length > 0)
        try {
          await this.batcher.submit({ readings: [], assessments: out.assessments });
        } catch (error) {
          restoreOrder();
          state.kind = kindStateBefore;
          state.restartAnalysis = true;
          throw error;
        }
      await this.publish(deviceId, out);
      // A short read was the last; a full one whose packets were all held or late moved nothing.
      if (state.orderer.lastTimestampMs === after || rows.length < CATCH_UP_BATCH) return;
    }
  }

  /** Offers one new reading to the device's orderer and assesses whatever that releases. */
  private async offerAndAssess(
    state: DeviceState<V, S>,
    stored: StoredReading<V>,
    now: number,
    out: AssessBatch<A>,
    answered: Map<string, { result: IngestResult; reading: Reading<V> }> | undefined,
  ): Promise<void> {
    const { kind } = this;
    const p = stored.reading;
    const durationMs = kind.durationMs(p.values);
    const held: HeldReading<V> = {
      timestampMs: p.tsMs,
      sequence: p.sequence,
      durationMs,
      // The orderer tells a clock that stepped back (sending in real time) from a backlog.
      receivedAtMs: stored.receivedAtMs,
      stored,
    };
    const positionBefore = state.orderer.lastTimestampMs;
    // Readings without stream content carry no stream state: assess them at once.
    const offered =
      durationMs === 0
        ? { released: [{ packet: held, gapBefore: false }], late: false, stale: [] }
        : state.orderer.offer(held);
    // A late reading is assessed without its stream content (it would corrupt the stream's
    // state) and not shown to the alert rules, whose durations run forward in time. So are
    // readings held as a possible stepped-back clock that turned out to be old ones (`stale`);
    // they are older than anything released now, and go first.
    const toAssess = [
      ...offered.stale.map((packet) => ({ packet, gapBefore: false, late: true })),
      ...(offered.late
        ? [{ packet: held, gapBefore: false, late: true }]
        : offered.released.map((rel) => ({ ...rel, late: false }))),
    ];
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
      if (assessment.record !== null) out.assessments.push(assessment.record);
      const answer = answered?.get(rel.packet.stored.id);
      if (answer !== undefined && kind.answerOf !== undefined) {
        Object.assign(answer.result, kind.answerOf(assessment.record, answer.reading));
        answered?.delete(rel.packet.stored.id);
      }
      out.live.push(...assessment.events);
      if (!rel.late && assessment.observation !== null) {
        // A new stream released behind the old position: a clock that stepped back.
        const steppedBack =
          rel.gapBefore && positionBefore !== null && rel.packet.timestampMs < positionBefore;
        out.observations.push({
          patientId: rel.packet.stored.patientId,
          observation: steppedBack
            ? { ...assessment.observation, streamRestartedBehind: true }
            : assessment.observation,
        });
      }
    }
  }

  /** Publishes a durable batch's events and hands its observations to the alert lifecycle. */
  private async publish(deviceId: string, out: AssessBatch<A>): Promise<void> {
    for (const e of out.live) this.deps.realtime.publish(e);
    for (const o of out.observations)
      if (o.patientId !== null)
        await this.deps.alerts.observe(o.patientId, deviceId, o.observation);
  }

  private async process(
    device: DeviceIdentity,
    readings: Reading<V>[],
    now: number,
    batch: boolean,
  ): Promise<IngestResult[]> {
    const { kind } = this;
    let state = await this.state(device.device_id);
    if (this.clustered()) {
      // A stream new to this instance may have begun elsewhere: its stored packets go first.
      // So do packets stored elsewhere that this one does not follow on from: a device sends its
      // next packet only once the previous one is acknowledged, so a packet another instance
      // stored is in the database by now, even when that instance's notice has not come yet
      // (a loaded machine: seconds), and the orderer would otherwise hold this one, give up
      // after three and analyse the earlier one as late (test:cluster).
      if (state.orderer.lastTimestampMs === null || this.leavesGap(state, readings)) {
        await this.catchUp(device.device_id);
        state = await this.state(device.device_id);
      }
      // Other instances store this device's packets too (a retry, a message the broker gave
      // again to another member): the newest stored one is read, not remembered.
      state.newestTs = Math.max(
        state.newestTs ?? -1,
        (await kind.repository.latest(device.device_id))?.tsMs ?? -1,
      );
    }
    const restoreOrder = state.orderer.checkpoint();
    const kindStateBefore = kind.copyDeviceState(state.kind);
    const out: AssessBatch<A> = { assessments: [], live: [], observations: [] };
    let accepted: Accepted<V, R>;
    try {
      accepted = await this.accept(
        device,
        readings,
        now,
        batch,
        state.newestTs ?? -1,
        state.alertsUnknown,
      );
      for (const [i, stored] of accepted.fresh.entries()) {
        const event = accepted.events[i];
        if (event !== undefined && event !== null) out.live.push(event);
        await this.offerAndAssess(state, stored, now, out, accepted.answered);
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
      for (const a of accepted.answered.values())
        Object.assign(a.result, kind.answerOf(null, a.reading));

    // Retried readings whose first delivery may not have reached the alert rules (a crash
    // between the commit and the rules, or rules that failed): assessed as a late reading is (no
    // stream analysis: the analyser's stream has moved on, or is gone with the process), on a
    // scratch state; nothing is stored or published again, only the rules see them, first
    // (they are older than this request's new readings).
    const retriedObservations: AssessBatch<A>['observations'] = [];
    for (const stored of accepted.retried) {
      const again = await kind.assess({
        stored,
        state: kind.copyDeviceState(state.kind),
        gapBefore: false,
        late: true,
        nowMs: now,
      });
      if (again.observation !== null)
        retriedObservations.push({ patientId: stored.patientId, observation: again.observation });
    }
    out.observations.unshift(...retriedObservations);

    if (accepted.records.length > 0) {
      // Until its observations reach the rules, this request's are unknown (a retry of it
      // evaluates them again).
      state.alertsUnknown.add(now);
      try {
        await this.batcher.submit({ readings: accepted.records, assessments: out.assessments });
      } catch (error) {
        state.alertsUnknown.delete(now);
        restoreOrder();
        state.kind = kindStateBefore;
        // The analyser has consumed stream content that was not stored: start it afresh.
        state.restartAnalysis = true;
        throw error;
      }
      state.newestTs = Math.max(state.newestTs ?? -1, accepted.newest);
      await this.heard(device, state, now);
      await this.publish(device.device_id, out);
    } else
      await this.publish(device.device_id, {
        assessments: [],
        live: [],
        observations: retriedObservations,
      });
    // Every observation of this request reached the rules: the retried requests' are known now;
    // with new readings evaluated, older requests are behind the rules (their durations run
    // forward in time) and are not evaluated again.
    if (accepted.records.length > 0) state.alertsUnknown.clear();
    else for (const r of accepted.retried) state.alertsUnknown.delete(r.receivedAtMs);
    this.deps.metrics?.count(kind.name, accepted.records.length, accepted.duplicates);
    return accepted.results;
  }

  /**
   * A reading of a device another instance owns: stored (exactly once, whichever instance gets
   * a retry: the newest stored timestamp is read from the database, not remembered), published
   * live, and handed to the owner, which assesses it in order. Answered without assessment.
   */
  private async storeOnly(
    device: DeviceIdentity,
    readings: Reading<V>[],
    now: number,
    batch: boolean,
  ): Promise<IngestResult[]> {
    const { kind } = this;
    const newestStored = (await kind.repository.latest(device.device_id))?.tsMs ?? -1;
    const accepted = await this.accept(device, readings, now, batch, newestStored);
    if (kind.answerOf !== undefined)
      for (const a of accepted.answered.values())
        Object.assign(a.result, kind.answerOf(null, a.reading));
    if (accepted.records.length > 0) {
      await this.batcher.submit({ readings: accepted.records, assessments: [] });
      const state = this.devices.get(device.device_id);
      await this.heard(device, state, now);
      for (const e of accepted.events) if (e !== null) this.deps.realtime.publish(e);
      this.deps.cluster?.storedElsewhere(device.device_id);
    }
    this.deps.metrics?.count(kind.name, accepted.records.length, accepted.duplicates);
    return accepted.results;
  }

  /**
   * The device was heard (new readings stored): last_seen_at (at most every 30 s), the kind it
   * sent, and the device-silent rule.
   */
  private async heard(
    device: DeviceIdentity,
    state: Pick<DeviceState<V, S>, 'lastSeenWriteMs'> | undefined,
    now: number,
  ): Promise<void> {
    await this.deps.devices.sent(device.device_id, this.kind.name);
    const s = state ?? { lastSeenWriteMs: this.lastSeenWrites.get(device.device_id) ?? 0 };
    if (now - s.lastSeenWriteMs >= LAST_SEEN_WRITE_INTERVAL_MS) {
      s.lastSeenWriteMs = now;
      if (state === undefined) this.lastSeenWrites.set(device.device_id, now);
      await this.deps.devices.markSeen(device.id);
    }
    if (device.patient_id !== null)
      this.deps.alerts.heard(device.patient_id, device.device_id, now);
  }

  /**
   * Deduplicates a request's readings against each other and the stored ones (anything newer
   * than `newestStored` is new; older ones may be retries) and gives the new ones their
   * identity, record and live event, in time order.
   */
  private async accept(
    device: DeviceIdentity,
    readings: Reading<V>[],
    now: number,
    batch: boolean,
    newestStored: number,
    alertsUnknown?: ReadonlySet<number>,
  ): Promise<Accepted<V, R>> {
    const { kind } = this;
    const results: IngestResult[] = new Array<IngestResult>(readings.length);
    const retried: StoredReading<V>[] = [];
    const seenInRequest = new Map<number, IngestResult>();
    // Readings stamped with the receive time (unsynchronised clock) are new by construction: each
    // goes 1 ms after the device's newest reading if the receive time is not later, so two of
    // them never share an identity (a device with no clock cannot be deduplicated).
    let lastUnsynced = newestStored;
    for (const p of readings) {
      if (p.deviceTsMs === null) continue;
      p.tsMs = Math.max(p.tsMs, lastUnsynced + 1);
      lastUnsynced = p.tsMs;
    }
    const sorted = [...readings].sort((a, b) => a.tsMs - b.tsMs);
    let newest = newestStored;
    const answered = new Map<string, { result: IngestResult; reading: Reading<V> }>();
    const fresh: StoredReading<V>[] = [];
    const records: R[] = [];
    const events: (RealtimeEvent | null)[] = [];
    let duplicates = 0;

    // A packet's identity is (device, timestamp); with sequence numbers on both sides, the same
    // timestamp under another sequence is not a retry but a device clock that went back (a
    // resync, a reboot with whole-second timestamps). Answering it as a retry dropped the
    // packet silently; it is refused, naming the field, and nothing of the request is stored.
    // `inBatch`: the index of the packet of this same batch that holds the timestamp (nothing of
    // the batch is stored then, so the message must not say "stored already").
    // Without sequence numbers on both sides, a retry holds what the stored reading holds (the
    // ESP32 of seed 000 resends the same window); other content at a stored timestamp is a clock
    // that went back, which was answered with the stored reading's id and prediction and dropped.
    const sameTimestamp = (
      p: Reading<V>,
      stored: IngestResult,
      inBatch?: number,
      storedContent?: string,
    ): void => {
      const field = batch ? `[${String(p.index)}].timestamp` : 'timestamp';
      if (p.sequence !== null && stored.sequence !== null) {
        if (p.sequence === stored.sequence) return;
        throw new DomainError('TIMESTAMP_TAKEN', {
          field,
          message:
            inBatch === undefined
              ? `timestamp ${String(p.tsMs)} is stored already with sequence ${String(stored.sequence)}, not ${String(p.sequence)}: did the device clock go back?`
              : `timestamp ${String(p.tsMs)} is also that of [${String(inBatch)}] of this batch, sequence ${String(stored.sequence)}, not ${String(p.sequence)}: did the device clock go back? Nothing of the batch is stored`,
        });
      }
      if (storedContent === undefined || kind.contentOf === undefined) return;
      if (kind.contentOf(p.values) === storedContent) return;
      throw new DomainError('TIMESTAMP_TAKEN', {
        field,
        message:
          inBatch === undefined
            ? `timestamp ${String(p.tsMs)} is stored already with other values (no sequence to tell them apart): did the device clock go back?`
            : `timestamp ${String(p.tsMs)} is also that of [${String(inBatch)}] of this batch, with other values: did the device clock go back? Nothing of the batch is stored`,
      });
    };
    // The content of each reading of this request by timestamp, for collisions within it.
    const contentInRequest = new Map<number, string | undefined>();
    const newInRequest = new Map<number, number>();
    for (const p of sorted) {
      const again = seenInRequest.get(p.tsMs);
      if (again !== undefined) {
        sameTimestamp(p, again, newInRequest.get(p.tsMs), contentInRequest.get(p.tsMs));
        results[p.index] = again;
        duplicates++;
        continue;
      }
      // Anything newer than the newest stored reading is new; older ones may be retries.
      if (p.tsMs <= newest) {
        const found = await kind.repository.findByDeviceTs(device.device_id, p.tsMs);
        if (found !== undefined) {
          const existing = found.result;
          sameTimestamp(p, existing, undefined, found.content);
          results[p.index] = existing;
          seenInRequest.set(p.tsMs, existing);
          contentInRequest.set(p.tsMs, found.content);
          duplicates++;
          if (alertsUnknown?.has(found.receivedAtMs) === true)
            retried.push({
              reading: p,
              id: existing.id,
              deviceId: device.device_id,
              patientId: device.patient_id,
              receivedAtMs: found.receivedAtMs,
            });
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
      records.push(record);
      fresh.push(stored);
      const r: IngestResult = {
        id: stored.id,
        device_id: device.device_id,
        timestamp: p.tsMs,
        sequence: p.sequence,
      };
      results[p.index] = r;
      answered.set(stored.id, { result: r, reading: p });
      seenInRequest.set(p.tsMs, r);
      newInRequest.set(p.tsMs, p.index);
      contentInRequest.set(p.tsMs, kind.contentOf?.(p.values));
      if (p.tsMs > newest) newest = p.tsMs;
      events.push(kind.liveEvent(record, stored));
    }
    return { results, fresh, records, events, answered, newest, duplicates, retried };
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
