import {
  createBabyMonitorHttpTransport,
  createEcg12Source,
  createFirmwareSource,
  createHttpTransport,
  createSimulatedBabyMonitor,
  createSimulatedDevice,
  FIRMWARE_WINDOW_S,
  isBabyScenarioName,
  SendError,
  type PacketSource,
  type PacketTransport,
  type SimulatedBabyMonitor,
} from '@vigil/sim';
import type { Ecg12Record } from '@vigil/signal/io';
import type { SeededDevice } from './demo-clinic.js';

export interface DemoFleetOptions {
  /** The server's own base URL: packets take the real ingest path (HTTP, device key). */
  baseUrl: string;
  devices: readonly SeededDevice[];
  /** Seconds between packets (each carries this much ECG). Default 1. */
  packetSeconds?: number;
  /** What 12-lead sensors replay (required when a device has `ecg12`). */
  ecg12Records?: readonly Ecg12Record[];
  log: { warn(obj: object, msg: string): void };
}

export interface DemoFleet {
  /** Packets and readings accepted by the server so far. */
  readonly sent: number;
  close(): Promise<void>;
}

interface Creds {
  deviceId: string;
  apiKey: string;
}

/**
 * Runs the demo's simulated devices in real time: every `packetSeconds` each vitals device
 * produces its next packet (ECGSYN + the scenario's vitals, from @vigil/sim) and POSTs it with its
 * key (a cardiac-monitor ESP32 posts its firmware's 10 s window every 10 s instead); each baby
 * monitor uploads a reading every few seconds (with an audio clip now and then) to
 * `/api/v1/readings`. A failing device is reported once per kind of failure, not once per send.
 */
export function startDemoFleet(options: DemoFleetOptions): DemoFleet {
  const packetSeconds = options.packetSeconds ?? 1;
  const transport: PacketTransport = createHttpTransport({
    baseUrl: options.baseUrl,
    timeoutMs: 5000,
  });
  const babyTransport = createBabyMonitorHttpTransport({
    baseUrl: options.baseUrl,
    timeoutMs: 10_000,
  });
  const reported = new Set<string>();
  const vitals: { sim: PacketSource; everyTicks: number; creds: Creds }[] = [];
  const monitors: { sim: SimulatedBabyMonitor; creds: Creds }[] = [];
  for (const d of options.devices) {
    const creds = { deviceId: d.deviceId, apiKey: d.apiKey };
    if (isBabyScenarioName(d.scenario))
      monitors.push({
        sim: createSimulatedBabyMonitor({ deviceId: d.deviceId, scenario: d.scenario }),
        creds,
      });
    else if (d.ecg12)
      vitals.push({
        sim: createEcg12Source({
          deviceId: d.deviceId,
          records: options.ecg12Records ?? [],
          startTimeMs: Date.now(),
          packetSeconds,
        }),
        everyTicks: 1,
        creds,
      });
    else
      vitals.push({
        sim: d.firmware
          ? createFirmwareSource({ deviceId: d.deviceId, scenario: d.scenario })
          : createSimulatedDevice({ deviceId: d.deviceId, scenario: d.scenario, packetSeconds }),
        // A firmware window goes out every `everyTicks`-th tick, once it is complete.
        everyTicks: d.firmware ? Math.max(1, Math.round(FIRMWARE_WINDOW_S / packetSeconds)) : 1,
        creds,
      });
  }
  let sent = 0;
  let ticks = 0;
  const inFlight = new Set<Promise<void>>();
  const track = (creds: Creds, sending: Promise<unknown>, what: string): void => {
    const p = sending.then(
      () => {
        sent++;
      },
      (error: unknown) => {
        const kind = error instanceof SendError ? error.kind : 'error';
        const key = `${creds.deviceId}:${kind}`;
        if (reported.has(key)) return;
        reported.add(key);
        options.log.warn(
          {
            device_id: creds.deviceId,
            kind,
            message: error instanceof Error ? error.message : String(error),
          },
          `demo device ${what} rejected`,
        );
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const tick = (): void => {
    ticks++;
    for (const { sim, everyTicks, creds } of vitals) {
      if (ticks % everyTicks !== 0) continue;
      const packet = sim.nextPacket();
      if (!packet) continue; // a 'silent' scenario: the device stopped sending
      track(creds, transport.send(creds, packet, sim.bodyOf?.(packet)), 'packet');
    }
  };
  const timers: NodeJS.Timeout[] = [];
  if (vitals.length > 0) {
    tick();
    timers.push(setInterval(tick, packetSeconds * 1000));
  }
  for (const { sim, creds } of monitors) {
    const read = (): void => {
      track(creds, babyTransport.send(creds, sim.nextReading()), 'reading');
    };
    read();
    timers.push(setInterval(read, sim.readingEveryS * 1000));
  }
  return {
    get sent() {
      return sent;
    },
    async close() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...inFlight]);
      await transport.close();
      await babyTransport.close();
    },
  };
}
