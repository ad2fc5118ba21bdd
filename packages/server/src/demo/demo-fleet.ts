import {
  createFirmwareSource,
  createHttpTransport,
  createSimulatedDevice,
  FIRMWARE_WINDOW_S,
  SendError,
  type PacketSource,
  type PacketTransport,
} from '@vigil/sim';
import type { SeededDevice } from './demo-clinic.js';

export interface DemoFleetOptions {
  /** The server's own base URL: packets take the real ingest path (HTTP, device key). */
  baseUrl: string;
  devices: readonly SeededDevice[];
  /** Seconds between packets (each carries this much ECG). Default 1. */
  packetSeconds?: number;
  log: { warn(obj: object, msg: string): void };
}

export interface DemoFleet {
  /** Packets accepted by the server so far. */
  readonly sent: number;
  close(): Promise<void>;
}

/**
 * Runs the demo's simulated devices in real time: every `packetSeconds` each device produces
 * its next packet (ECGSYN + the scenario's vitals, from @vigil/sim) and POSTs it with its key.
 * A failing device is reported once per kind of failure, not once per second.
 */
export function startDemoFleet(options: DemoFleetOptions): DemoFleet {
  const packetSeconds = options.packetSeconds ?? 1;
  const transport: PacketTransport = createHttpTransport({
    baseUrl: options.baseUrl,
    timeoutMs: 5000,
  });
  const reported = new Set<string>();
  // A cardiac-monitor ESP32 posts a 10 s window every 10 s: every `everyTicks`-th tick.
  const devices: {
    sim: PacketSource;
    everyTicks: number;
    creds: { deviceId: string; apiKey: string };
  }[] = options.devices.map((d) => ({
    sim: d.firmware
      ? createFirmwareSource({ deviceId: d.deviceId, scenario: d.scenario })
      : createSimulatedDevice({ deviceId: d.deviceId, scenario: d.scenario, packetSeconds }),
    everyTicks: d.firmware ? Math.max(1, Math.round(FIRMWARE_WINDOW_S / packetSeconds)) : 1,
    creds: { deviceId: d.deviceId, apiKey: d.apiKey },
  }));
  let sent = 0;
  let ticks = 0;
  const inFlight = new Set<Promise<void>>();
  const tick = (): void => {
    ticks++;
    for (const { sim, everyTicks, creds } of devices) {
      // The first window goes out once it is complete, as on the device.
      if (ticks % everyTicks !== 0) continue;
      const packet = sim.nextPacket();
      if (!packet) continue; // a 'silent' scenario: the device stopped sending
      const p = transport.send(creds, packet, sim.bodyOf?.(packet)).then(
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
            'demo device packet rejected',
          );
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  };
  tick();
  const timer = setInterval(tick, packetSeconds * 1000);
  return {
    get sent() {
      return sent;
    },
    async close() {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      await transport.close();
    },
  };
}
