import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSimulatedDevice, type ReplaySource } from './create-simulated-device.js';
import { latencySummary, type LatencySummary } from './latency-summary.js';
import type { Scenario, ScenarioName } from './scenarios.js';
import {
  createHttpTransport,
  createMqttTransport,
  SendError,
  type DeviceCredentials,
  type PacketTransport,
} from './transports.js';
import type { VitalsPacket } from './vitals-packet.js';

export interface FleetDevice extends DeviceCredentials {
  scenario?: ScenarioName | Scenario;
  seed?: number;
}

/** Anything that yields packets: a simulated device, or a bench's pre-computed pool. */
export interface PacketSource {
  nextPacket(): VitalsPacket | null;
  /** The packet's JSON, when the source can build it faster than JSON.stringify. */
  bodyOf?(packet: VitalsPacket): string;
}

export interface FleetProgress {
  elapsedS: number;
  devices: number;
  sent: number;
  ok: number;
  errors: number;
  inFlight: number;
  /** Acknowledged packets per second over the last progress interval. */
  ratePerS: number;
}

export interface PacketResult {
  deviceId: string;
  sequence: number;
  /** Epoch ms when the request was started. */
  sentAtMs: number;
  latencyMs: number;
  ok: boolean;
  errorKind: string | null;
}

export interface RunFleetOptions {
  /** `http`, `mqtt`, or a transport object. */
  transport: 'http' | 'mqtt' | PacketTransport;
  /** Server base URL for HTTP. Default `http://127.0.0.1:3000`. */
  baseUrl?: string;
  /** Broker URL for MQTT. Default `mqtt://127.0.0.1:1883`. */
  mqttUrl?: string;
  devices: FleetDevice[];
  /** Packets per second per device at speed 1. Default 1 (a 1 s packet every second). */
  ratePerDevice?: number;
  /** Wall-clock length of the run in seconds. */
  durationS: number;
  /**
   * Multiplier on the send rate (data time runs `speed`× faster than the wall clock). Default 1.
   * `Infinity` sends back to back, one packet in flight per device: a closed-loop load that
   * measures the server's maximum sustained rate.
   */
  speed?: number;
  /** ECG rate of the simulated devices in Hz. Default 250. */
  fs?: number;
  /** Replay this recording on every device instead of ECGSYN. */
  replay?: ReplaySource;
  /** Epoch ms of the first packet. Default: now, or earlier when data runs faster than time, so
   * the last packet is not in the future. */
  startTimeMs?: number;
  /** Custom packet source per device (default: `createSimulatedDevice`). */
  createSource?: (device: FleetDevice, index: number, startTimeMs: number) => PacketSource;
  onProgress?: (progress: FleetProgress) => void;
  /** Default 1000. */
  progressIntervalMs?: number;
  /** Called for every packet once answered (or failed). */
  onResult?: (result: PacketResult) => void;
  /** Stops the run early (the summary covers what was sent). */
  signal?: AbortSignal;
  /** Per-request timeout in ms. Default 10 000. */
  timeoutMs?: number;
  /**
   * Sends of one packet after a 503/429 with Retry-After (the device waits as told, then sends
   * the same packet again, as firmware should; later packets wait their turn). Default 3; 0 sends
   * each packet once.
   */
  retriesAfterRetryAfter?: number;
}

export interface FleetSummary {
  transport: string;
  devices: number;
  durationS: number;
  ratePerDevice: number;
  speed: number | 'max';
  /** Packets per second asked for (devices × rate × speed); null for a closed-loop run. */
  offeredRatePerS: number | null;
  packetsSent: number;
  packetsOk: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** Acknowledged packets per second of wall time. */
  achievedRatePerS: number;
  /** Packets a silent device held back. */
  packetsSkipped: number;
  /** Scheduled packets not sent because the run ended (server too slow, or aborted). */
  packetsUnsent: number;
  /** Sends again after the server asked to retry later (Retry-After). */
  retriesAfterRetryAfter: number;
  latencyMs: LatencySummary;
  startedAt: string;
  finishedAt: string;
}

/**
 * Drives a fleet of simulated devices against a Vigil server and returns a machine-readable
 * summary. Each device sends one request at a time, like firmware does; with a finite `speed`
 * the send times are fixed in advance (open loop, staggered evenly across devices), so a slow
 * server shows up as an achieved rate below the offered one and as latency, not as a gentler
 * load. Latency is measured from the request start to the full response (HTTP) or PUBACK (MQTT).
 */
export async function runFleet(options: RunFleetOptions): Promise<FleetSummary> {
  const {
    devices,
    ratePerDevice = 1,
    durationS,
    speed = 1,
    fs = 250,
    progressIntervalMs = 1000,
    timeoutMs = 10_000,
    retriesAfterRetryAfter = 3,
  } = options;
  if (devices.length === 0) throw new Error('devices must not be empty');
  if (!(durationS > 0)) throw new Error('durationS must be > 0');
  if (!(ratePerDevice > 0) || !(speed > 0)) throw new Error('ratePerDevice and speed must be > 0');
  const closedLoop = speed === Infinity;
  const intervalMs = closedLoop ? 0 : 1000 / (ratePerDevice * speed);
  const expectedPackets = closedLoop ? 6 * 3600 : Math.ceil(durationS * ratePerDevice * speed);
  const now = Date.now();
  const startTimeMs =
    options.startTimeMs ?? (ratePerDevice * speed > 1 ? now - expectedPackets * 1000 : now);

  let transport: PacketTransport;
  if (typeof options.transport === 'object') {
    transport = options.transport;
  } else if (options.transport === 'mqtt') {
    transport = createMqttTransport({
      mqttUrl: options.mqttUrl ?? 'mqtt://127.0.0.1:1883',
      timeoutMs,
    });
  } else {
    transport = createHttpTransport({
      baseUrl: options.baseUrl ?? 'http://127.0.0.1:3000',
      maxSockets: Math.min(devices.length, 2048),
      timeoutMs,
    });
  }
  const transportName = typeof options.transport === 'object' ? 'custom' : options.transport;
  const sources: PacketSource[] = devices.map((device, index) =>
    options.createSource
      ? options.createSource(device, index, startTimeMs)
      : createSimulatedDevice({
          deviceId: device.deviceId,
          scenario: device.scenario ?? 'normal',
          fs,
          startTimeMs,
          ...(device.seed !== undefined ? { seed: device.seed } : {}),
          ...(options.replay ? { replay: options.replay } : {}),
        }),
  );

  const latencies: number[] = [];
  const errorsByKind: Record<string, number> = {};
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let skipped = 0;
  let inFlight = 0;
  let retries = 0;
  const startedAt = new Date();
  const t0 = performance.now();
  // Closed loop runs for the duration; open loop sends every scheduled packet, with a grace
  // period after the duration for a server that fell behind (then the rest are counted unsent).
  const endAt = t0 + durationS * 1000 + (closedLoop ? 0 : Math.max(5000, durationS * 250));
  const stopped = (): boolean => options.signal?.aborted === true || performance.now() >= endAt;

  let lastOk = 0;
  let lastTick = t0;
  const progressTimer = options.onProgress
    ? setInterval(() => {
        const tick = performance.now();
        options.onProgress?.({
          elapsedS: (tick - t0) / 1000,
          devices: devices.length,
          sent,
          ok,
          errors,
          inFlight,
          ratePerS: ((ok - lastOk) * 1000) / Math.max(1, tick - lastTick),
        });
        lastOk = ok;
        lastTick = tick;
      }, progressIntervalMs)
    : null;
  progressTimer?.unref();

  const runDevice = async (index: number): Promise<void> => {
    const device = devices[index];
    const source = sources[index];
    if (!device || !source) return;
    // Even stagger: device i's first send is i/n of an interval after the start.
    let due = t0 + (intervalMs * index) / devices.length;
    let count = 0;
    while (!stopped() && count < expectedPackets) {
      const wait = due - performance.now();
      if (wait > 1) {
        await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined);
        if (stopped()) break;
      }
      due += intervalMs;
      count++;
      const packet = source.nextPacket();
      if (packet === null) {
        skipped++;
        continue;
      }
      sent++;
      inFlight++;
      const sentAtMs = Date.now();
      const start = performance.now();
      let errorKind: string | null = null;
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await transport.send(device, packet, source.bodyOf?.(packet));
            break;
          } catch (error) {
            // Shed by an overloaded server: wait as long as it asked, then the same packet again
            // (nothing was stored). The schedule moves too: no burst of catch-up sends after.
            const waitMs = error instanceof SendError ? error.retryAfterMs : undefined;
            if (waitMs === undefined || attempt >= retriesAfterRetryAfter || stopped()) throw error;
            retries++;
            await sleep(waitMs, undefined, { signal: options.signal }).catch(() => undefined);
            due = Math.max(due, performance.now());
            if (stopped()) throw error;
          }
        }
        ok++;
      } catch (error) {
        errors++;
        errorKind = error instanceof SendError ? error.kind : 'unknown';
        errorsByKind[errorKind] = (errorsByKind[errorKind] ?? 0) + 1;
      } finally {
        inFlight--;
      }
      const latencyMs = performance.now() - start;
      if (errorKind === null) latencies.push(latencyMs);
      options.onResult?.({
        deviceId: device.deviceId,
        sequence: packet.sequence,
        sentAtMs,
        latencyMs,
        ok: errorKind === null,
        errorKind,
      });
    }
  };

  try {
    await Promise.all(devices.map((_, index) => runDevice(index)));
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    await transport.close();
  }
  // An open-loop run lasts its schedule even when the last answer comes early.
  const aborted = options.signal?.aborted === true;
  const elapsedS = Math.max((performance.now() - t0) / 1000, closedLoop || aborted ? 0 : durationS);
  return {
    transport: transportName,
    devices: devices.length,
    durationS: Math.round(elapsedS * 1000) / 1000,
    ratePerDevice,
    speed: closedLoop ? 'max' : speed,
    offeredRatePerS: closedLoop ? null : devices.length * ratePerDevice * speed,
    packetsSent: sent,
    packetsOk: ok,
    errors,
    errorsByKind,
    achievedRatePerS: Math.round((ok / elapsedS) * 10) / 10,
    packetsSkipped: skipped,
    packetsUnsent: closedLoop ? 0 : devices.length * expectedPackets - sent - skipped,
    retriesAfterRetryAfter: retries,
    latencyMs: latencySummary(latencies),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}
