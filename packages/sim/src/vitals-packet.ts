/**
 * A vitals packet as ESP32 firmware sends it (seed 000), the device payload the simulator
 * produces. Field names and ranges mirror the server's `VitalsPacketSchema`
 * (packages/server/src/http/schemas/vitals.schemas.ts); `vitals-packet.test.ts` validates
 * generated packets against that schema so the two cannot drift apart. The simulator keeps its
 * own type because the server imports the simulator (demo mode), never the reverse.
 */
export interface VitalsPacket {
  device_id: string;
  /** Start of the packet's ECG window, epoch milliseconds. */
  timestamp: number;
  /** ECG in mV, oldest first, one lead, rounded to 1 µV. */
  ecg_samples: number[];
  /** Hz. */
  ecg_sample_rate_hz: number;
  /** The device's own heart rate (bpm), from its pulse sensor; absent when it has none. */
  heart_rate_bpm?: number;
  spo2_percent?: number;
  /** Packet counter from 0, for ordering and idempotency. */
  sequence: number;
  battery_percent?: number;
  temperature_c?: number;
  /** Breaths per minute. */
  respiratory_rate?: number;
  /** Electrode lead-off flag (AD8232 LO+/LO−). */
  lead_off: boolean;
}
