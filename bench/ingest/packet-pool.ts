import {
  createSimulatedDevice,
  type PacketSource,
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
