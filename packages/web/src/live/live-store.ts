/**
 * Live state fed only by the WebSocket: latest vitals, ECG chunks, predictions and alerts.
 * Plain TypeScript so it is testable without a browser; React reads it with
 * useSyncExternalStore. ECG chunks have their own listeners, so 250 Hz of waveform does not
 * re-render the whole page.
 */
import type { EcgChunk } from '../ecg/ecg-geometry.js';
import { pruneChunks } from '../ecg/ecg-geometry.js';
import type { Alert, Prediction, VitalsSummary } from '../api/types.js';

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

/**
 * How long the newest packet by timestamp stays shown while only earlier-stamped ones arrive:
 * three 10-s firmware windows; a late packet comes within seconds of its successors.
 */
const LATEST_HOLD_MS = 30_000;
/** How much waveform each device keeps for the strip (ms). */
const ECG_KEEP_MS = 30_000;
/** How much of a multi-lead stream is kept: one 10 s 12-lead page. */
const LEADS_KEEP_MS = 10_000;

/** One multi-lead packet: its named leads, mV. */
export interface LeadsChunk {
  startMs: number;
  fsHz: number;
  names: readonly string[];
  samplesMv: readonly Float32Array[];
}

/** The latest window of a multi-lead stream, as the 12-lead grid draws it. */
export interface LeadsWindow {
  samplingRateHz: number;
  leads: readonly string[];
  samples: readonly (readonly number[])[];
  endMs: number;
}

/**
 * A packet's heart rate by the server's one rule (docs/api.md, vitals endpoints): the device's,
 * else the one the ECG analysis measured for that packet, which arrives in its prediction. The
 * live packet carries only the device's, so an ECG-only device's tile showed the measured rate
 * from `/latest` and then "—" from the next live packet.
 */
function withMeasuredRate(
  summary: VitalsSummary,
  prediction: Prediction | undefined,
): VitalsSummary {
  if (
    summary.heart_rate_bpm !== null ||
    prediction?.timestamp !== summary.timestamp ||
    prediction.heart_rate_source !== 'ecg' ||
    prediction.heart_rate_bpm === null
  )
    return summary;
  return { ...summary, heart_rate_bpm: prediction.heart_rate_bpm };
}

export class LiveStore {
  status: ConnectionStatus = 'idle';
  readonly latest = new Map<string, VitalsSummary>();
  readonly predictions = new Map<string, Prediction>();
  readonly alerts = new Map<string, Alert>();
  /**
   * When this browser last received a live packet of each device (its clock, ms). The server
   * writes a device's `last_seen_at` at most every 30 s and the device list is loaded once, so
   * without this "last seen" lagged behind a device streaming every second.
   */
  readonly heardAtMs = new Map<string, number>();
  /** When each device's `latest` was last replaced (this browser's clock, ms). */
  private readonly latestSetAtMs = new Map<string, number>();
  private readonly ecg = new Map<string, EcgChunk[]>();
  private readonly leadChunks = new Map<string, LeadsChunk[]>();
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private readonly alertListeners = new Set<(alert: Alert, isNew: boolean) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The later of the stored `last_seen_at` and the last live packet heard; null if neither. */
  lastSeenMs(deviceId: string, storedIso: string | null): number | null {
    const stored = storedIso === null ? NaN : Date.parse(storedIso);
    const heard = this.heardAtMs.get(deviceId);
    if (Number.isNaN(stored)) return heard ?? null;
    return heard === undefined ? stored : Math.max(stored, heard);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  onAlert(listener: (alert: Alert, isNew: boolean) => void): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.changed();
  }

  /** The latest reading loaded over HTTP (`/latest`): not a packet heard live. */
  primeLatest(summary: VitalsSummary): void {
    const prev = this.latest.get(summary.device_id);
    if (prev && prev.timestamp > summary.timestamp) return;
    this.latest.set(
      summary.device_id,
      withMeasuredRate(summary, this.predictions.get(summary.device_id)),
    );
    this.latestSetAtMs.set(summary.device_id, this.now());
    this.changed();
  }

  applyVitals(
    summary: VitalsSummary,
    chunk: EcgChunk | null,
    leads: LeadsChunk | null = null,
  ): void {
    if (leads) {
      // Only consecutive packets of one lead set and rate form a window; anything else restarts it.
      const list = (this.leadChunks.get(summary.device_id) ?? []).filter(
        (c) =>
          c.fsHz === leads.fsHz &&
          c.names.join() === leads.names.join() &&
          c.startMs < leads.startMs &&
          c.startMs >= leads.startMs - LEADS_KEEP_MS + 1,
      );
      list.push(leads);
      this.leadChunks.set(summary.device_id, list);
    }
    const now = this.now();
    this.heardAtMs.set(summary.device_id, now);
    const prev = this.latest.get(summary.device_id);
    // The newest packet by its timestamp, so a late one does not replace it; but once nothing
    // newer has come for LATEST_HOLD_MS, a packet stamped earlier is the device's stream now: a
    // clock that stepped back (NTP, an RTC reset) stamps every new packet before the old newest,
    // and the tile showed the last packet before the step while the new ones were analysed.
    const setAt = this.latestSetAtMs.get(summary.device_id) ?? -Infinity;
    if (!prev || prev.timestamp <= summary.timestamp || now - setAt > LATEST_HOLD_MS) {
      this.latest.set(
        summary.device_id,
        withMeasuredRate(summary, this.predictions.get(summary.device_id)),
      );
      this.latestSetAtMs.set(summary.device_id, now);
    }
    if (chunk) {
      const list = this.ecg.get(summary.device_id) ?? [];
      list.push(chunk);
      const newest = Math.max(...list.map((c) => c.startMs));
      this.ecg.set(summary.device_id, pruneChunks(list, newest - ECG_KEEP_MS));
    }
    this.changed();
  }

  ecgChunks(deviceId: string): readonly EcgChunk[] {
    return this.ecg.get(deviceId) ?? [];
  }

  /** The device's last 10 s of multi-lead packets joined per lead; null for a one-lead device. */
  leadsWindow(deviceId: string): LeadsWindow | null {
    const list = this.leadChunks.get(deviceId);
    const last = list?.[list.length - 1];
    if (!list || !last) return null;
    return {
      samplingRateHz: last.fsHz,
      leads: last.names,
      samples: last.names.map((_, l) => list.flatMap((c) => Array.from(c.samplesMv[l] ?? []))),
      endMs: last.startMs + ((last.samplesMv[0]?.length ?? 0) * 1000) / last.fsHz,
    };
  }

  applyPrediction(prediction: Prediction): void {
    const prev = this.predictions.get(prediction.device_id);
    // The newest, or the one of the packet shown (after a clock step back, see applyVitals).
    const shown = this.latest.get(prediction.device_id)?.timestamp === prediction.timestamp;
    if (!prev || prev.timestamp <= prediction.timestamp || shown) {
      this.predictions.set(prediction.device_id, prediction);
      const latest = this.latest.get(prediction.device_id);
      if (latest) this.latest.set(prediction.device_id, withMeasuredRate(latest, prediction));
      this.changed();
    }
  }

  /** Seeds alerts from an HTTP list without raising toasts. */
  loadAlerts(alerts: readonly Alert[]): void {
    for (const a of alerts) this.alerts.set(a.id, a);
    this.changed();
  }

  applyAlert(alert: Alert, toast = true): void {
    const isNew = !this.alerts.has(alert.id);
    this.alerts.set(alert.id, alert);
    this.changed();
    if (toast) for (const l of this.alertListeners) l(alert, isNew);
  }

  /** Forgets everything (sign out). */
  clear(): void {
    this.latest.clear();
    this.latestSetAtMs.clear();
    this.heardAtMs.clear();
    this.predictions.clear();
    this.alerts.clear();
    this.ecg.clear();
    this.leadChunks.clear();
    this.changed();
  }
}
