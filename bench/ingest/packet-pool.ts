import { readFileSync } from 'node:fs';
import { decodeEcg12Record } from '../../packages/signal/src/io/index.js';
import {
  createEcg12Source,
  createSimulatedDevice,
  type PacketSource,
  type Scenario,
  type ScenarioName,
  type VitalsPacket,
} from '../../packages/sim/src/index.js';

/**
 * Pre-computed packets for the throughput phase: a closed-loop run at thousands of packets per
 * second cannot afford ECGSYN and JSON.stringify on the generator's share of two cores, so every
 * device cycles through the same `size` seconds of normal-sinus ECG with its own id, timestamps
 * and sequence numbers, and the JSON is assembled from a pre-serialised tail. The bodies are
 * byte-for-byte what JSON.stringify would give. (The fleet run uses live ECGSYN devices.)
 */
export function createPacketPool(
  size = 30,
  fs = 250,
): (deviceId: string, startTimeMs: number) => PacketSource {
  const template = createSimulatedDevice({
    deviceId: 'POOL',
    scenario: 'normal',
    fs,
    seed: 1,
    startTimeMs: 0,
  });
  const packets: VitalsPacket[] = [];
  const tails: string[] = [];
  for (let i = 0; i < size; i++) {
    const packet = template.nextPacket();
    if (!packet) continue;
    const { device_id: _id, timestamp: _t, sequence: _s, ...rest } = packet;
    packets.push(packet);
    tails.push(JSON.stringify(rest).slice(1));
  }
  return (deviceId, startTimeMs) => {
    let sequence = 0;
    const head = `{"device_id":${JSON.stringify(deviceId)},"timestamp":`;
    return {
      nextPacket(): VitalsPacket | null {
        const base = packets[sequence % packets.length];
        if (!base) return null;
        const packet = {
          ...base,
          device_id: deviceId,
          sequence,
          timestamp: startTimeMs + sequence * 1000,
        };
        sequence++;
        return packet;
      },
      bodyOf(packet: VitalsPacket): string {
        return `${head}${packet.timestamp},"sequence":${packet.sequence},${tails[packet.sequence % tails.length] ?? ''}`;
      },
    };
  };
}

/**
 * Live ECGSYN packets recorded before the clock starts: each device gets its own scenario and
 * seed, generated in full (`packets` per device) and serialised up front, so the measured run
 * spends the generator's CPU only on HTTP. Used by the fleet run, where 500 devices generating
 * ECG in real time would compete with the server for the machine's two cores.
 */
export function prerecordFleet(
  devices: readonly { deviceId: string; scenario?: ScenarioName | Scenario }[],
  packets: number,
  startTimeMs: number,
  fs = 250,
): (device: { deviceId: string }) => PacketSource {
  const recorded = new Map<string, { header: VitalsPacket; bodies: string[] }>();
  for (const [index, device] of devices.entries()) {
    const sim = createSimulatedDevice({
      deviceId: device.deviceId,
      scenario: device.scenario ?? 'normal',
      fs,
      seed: index + 1,
      startTimeMs,
    });
    const bodies: string[] = [];
    let header: VitalsPacket | null = null;
    for (let i = 0; i < packets; i++) {
      const packet = sim.nextPacket();
      if (packet === null) {
        bodies.push('');
        continue;
      }
      header ??= { ...packet, ecg_samples: [] };
      bodies.push(JSON.stringify(packet));
    }
    if (header) recorded.set(device.deviceId, { header, bodies });
  }
  return (device) => {
    const entry = recorded.get(device.deviceId);
    let sequence = 0;
    return {
      nextPacket(): VitalsPacket | null {
        if (!entry) return null;
        const body = entry.bodies[sequence];
        const current = sequence++;
        if (body === undefined || body === '') return null;
        // A light stand-in: the wire body comes from bodyOf.
        return { ...entry.header, sequence: current, timestamp: startTimeMs + current * 1000 };
      },
      bodyOf(packet: VitalsPacket): string {
        return entry?.bodies[packet.sequence] ?? '';
      },
    };
  };
}

/**
 * Pre-computed 12-lead packets (seed 004's sensor batch: 1 s of `{lead1 … lead12}` samples at the
 * record's rate) cycling through a real CinC 2021 record, HR06006 (PTB-XL, normal; CC BY 4.0, see
 * packages/signal/src/io/fixtures/cinc2021/NOTICE): the same closed loop as `createPacketPool`,
 * so the server's CPU per packet of a 12-lead stream sits beside the single-lead figure. Every
 * 10 packets of a device the live 12-lead interpretation runs once, and is part of the cost.
 */
export function createTwelveLeadPacketPool(): (
  deviceId: string,
  startTimeMs: number,
) => PacketSource {
  const dir = new URL('../../packages/signal/src/io/fixtures/cinc2021/', import.meta.url);
  const record = decodeEcg12Record(
    readFileSync(new URL('HR06006.hea', dir), 'utf8'),
    new Uint8Array(readFileSync(new URL('HR06006.mat', dir))),
  );
  const fs = record.samplingRateHz;
  const seconds = Math.floor((record.leadsMv[0]?.length ?? 0) / fs);
  const tails: string[] = [];
  for (let s = 0; s < seconds; s++) {
    const source = createEcg12Source({ deviceId: 'POOL', records: [record], startTimeMs: 0 });
    for (let k = 0; k < s; k++) source.nextPacket();
    const packet = source.nextPacket();
    if (packet === null) throw new Error('the 12-lead record is shorter than one packet');
    const { device_id: _id, timestamp: _t, sequence: _s, ...rest } = packet;
    tails.push(JSON.stringify(rest).slice(1));
  }
  return (deviceId, startTimeMs) => {
    let sequence = 0;
    const head = `{"device_id":${JSON.stringify(deviceId)},"timestamp":`;
    return {
      nextPacket(): VitalsPacket {
        const packet: VitalsPacket = {
          device_id: deviceId,
          sequence,
          timestamp: startTimeMs + sequence * 1000,
          lead_off: false,
          ecg_sample_rate_hz: fs,
        };
        sequence++;
        return packet;
      },
      bodyOf(packet: VitalsPacket): string {
        return `${head}${packet.timestamp},"sequence":${packet.sequence},${tails[packet.sequence % tails.length] ?? ''}`;
      },
    };
  };
}
