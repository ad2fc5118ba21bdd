import type { VitalsPacket } from './vitals-packet.js';

/**
 * The vitals upload of the cardiac-monitor ESP32 firmware (seed 000; github.com/Sanuka23/
 * cardiac-monitor, MIT licence), rebuilt byte for byte: `firmware/src/data_sender.cpp` fills an
 * ArduinoJson document in this order — device_id, timestamp (time_t seconds, an integer),
 * window_ms (ECG_WINDOW_MS = 10000), sample_rate_hz (ECG_SAMPLE_RATE_HZ), heart_rate_bpm (float
 * rounded to 0.1; 0 with the pulse oximeter off), spo2_percent (uint8), ecg_lead_off (bool),
 * ecg_samples (uint16 ADC counts), beat_timestamps_ms (uint16 ms from the window start) — and
 * serialises it without whitespace. The samples are what `firmware/src/sensor_manager.cpp`
 * produces from the AD8232 on the ESP32's 12-bit ADC: the signal's DC removed (first-order
 * high-pass, about 0.5 Hz), re-centred at 2048, truncated to an integer and clamped to 0 … 4095.
 */

/** AD8232 (1100 V/V) into a 12-bit ADC of 3.3 V full scale: counts per mV at the electrodes. */
export const FIRMWARE_COUNTS_PER_MV = 1365;

export interface FirmwareWindow {
  deviceId: string;
  /** time_t, epoch seconds (or seconds since boot before NTP). */
  timestampS: number;
  sampleRateHz: number;
  heartRateBpm: number;
  spo2Percent: number;
  leadOff: boolean;
  ecgCounts: readonly number[];
  beatTimestampsMs: readonly number[];
  windowMs?: number;
}

/** ArduinoJson's float output for the 0.1-rounded heart rate (`72.5`, `0`). */
function arduinoFloat(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 10) / 10);
}

/** The JSON text data_sender.cpp posts for one window. */
export function firmwarePayload(w: FirmwareWindow): string {
  return (
    `{"device_id":${JSON.stringify(w.deviceId)}` +
    `,"timestamp":${String(Math.trunc(w.timestampS))}` +
    `,"window_ms":${String(w.windowMs ?? 10000)}` +
    `,"sample_rate_hz":${String(w.sampleRateHz)}` +
    `,"heart_rate_bpm":${arduinoFloat(Math.round(w.heartRateBpm * 10) / 10)}` +
    `,"spo2_percent":${String(w.spo2Percent)}` +
    `,"ecg_lead_off":${String(w.leadOff)}` +
    `,"ecg_samples":[${w.ecgCounts.join(',')}]` +
    `,"beat_timestamps_ms":[${w.beatTimestampsMs.join(',')}]}`
  );
}

/**
 * An ECG in mV as the firmware's ADC path sees it: × the front end's gain, DC removed by a
 * first-order high-pass (y[n] = x[n] − x[n−1] + α·y[n−1], α = 1 − 2π·0.5 Hz / fs), + 2048,
 * truncated, clamped to 12 bits. The high-pass starts settled on the first sample (the firmware
 * runs continuously; only its first window after boot has the start-up transient).
 */
export function firmwareCounts(ecgMv: ArrayLike<number>, fs: number): number[] {
  const alpha = 1 - (2 * Math.PI * 0.5) / fs;
  const out: number[] = [];
  let prevX = (ecgMv[0] ?? 0) * FIRMWARE_COUNTS_PER_MV;
  let y = 0;
  for (let i = 0; i < ecgMv.length; i++) {
    const x = (ecgMv[i] ?? 0) * FIRMWARE_COUNTS_PER_MV;
    y = x - prevX + alpha * y;
    prevX = x;
    out.push(Math.min(4095, Math.max(0, Math.trunc(y + 2048))));
  }
  return out;
}

/**
 * A simulated device's packet (mV, `packetSeconds` long: 10 for the firmware's windows) as the
 * cardiac-monitor firmware would post it: the ECG as 12-bit counts, the timestamp in whole
 * seconds, `beat_timestamps_ms` from the generator's beats (the firmware's are the MAX30100's).
 */
export function firmwareJsonOf(packet: VitalsPacket, beatsMs: readonly number[] = []): string {
  const fs = packet.ecg_sample_rate_hz;
  // The firmware sends one lead: a simulated packet always has ecg_samples.
  const samples = packet.ecg_samples ?? [];
  return firmwarePayload({
    deviceId: packet.device_id,
    timestampS: Math.floor(packet.timestamp / 1000),
    windowMs: Math.round((samples.length * 1000) / fs),
    sampleRateHz: fs,
    heartRateBpm: packet.heart_rate_bpm ?? 0,
    spo2Percent: packet.spo2_percent ?? 0,
    leadOff: packet.lead_off,
    ecgCounts: packet.lead_off ? samples.map(() => 0) : firmwareCounts(samples, fs),
    beatTimestampsMs: beatsMs.map((ms) => Math.max(0, Math.min(65_535, Math.round(ms)))),
  });
}
