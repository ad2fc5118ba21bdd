import {
  createSimulatedDevice,
  type SimulatedDevice,
  type SimulatedDeviceOptions,
} from './create-simulated-device.js';
import { firmwareJsonOf } from './firmware-payload.js';
import type { PacketSource } from './run-fleet.js';
import type { VitalsPacket } from './vitals-packet.js';

/** The cardiac-monitor firmware's window (`ECG_WINDOW_MS` in its config.h), seconds. */
export const FIRMWARE_WINDOW_S = 10;

/**
 * A simulated cardiac-monitor ESP32 (seed 000, `--firmware`): a simulated device whose packets
 * are the firmware's 10 s windows, posted as the exact JSON `data_sender.cpp` builds (12-bit ADC
 * counts, `sample_rate_hz`, `window_ms`, `ecg_lead_off`, `beat_timestamps_ms`, whole-second
 * timestamps). Its device must use the ad8232-esp32-12bit input profile (or none: auto).
 */
export function createFirmwareSource(
  options: Omit<SimulatedDeviceOptions, 'packetSeconds'>,
): PacketSource & { device: SimulatedDevice } {
  const device = createSimulatedDevice({ ...options, packetSeconds: FIRMWARE_WINDOW_S });
  return {
    device,
    nextPacket: () => device.nextPacket(),
    bodyOf: (packet: VitalsPacket) =>
      firmwareJsonOf(
        packet,
        device.lastTruth.beats.map((b) => (b.sample * 1000) / packet.ecg_sample_rate_hz),
      ),
  };
}
