import { createEcgSynth, createRng, type SynthBeat } from '@vigil/signal';
import { hashString } from './hash-string.js';
import { SCENARIOS, type Ramp, type Scenario, type ScenarioName } from './scenarios.js';
import type { VitalsPacket } from './vitals-packet.js';

/** A recording to replay instead of the synthetic ECG, already at the device's rate. */
export interface ReplaySource {
  name: string;
  /** Hz; must equal the device's `fs` (see `loadWfdbReplay`, which resamples). */
  fs: number;
  ecgMv: Float64Array;
  /** Reference beat times in seconds from the record start (from its annotations), if known. */
  beatTimesS?: Float64Array;
}

export interface SimulatedDeviceOptions {
  deviceId: string;
  /** Scenario name or a custom scenario. Default `normal`. */
  scenario?: ScenarioName | Scenario;
  /** ECG sampling rate in Hz. Default 250. */
  fs?: number;
  /** Seed of every random choice; default derived from `deviceId`, so a device is reproducible. */
  seed?: number;
  /** Epoch ms of the first packet's first sample. Default `Date.now()`. */
  startTimeMs?: number;
  /** Seconds of ECG per packet. Default 1. */
  packetSeconds?: number;
  /** Replay this recording (looping) instead of ECGSYN; vitals still follow the scenario. */
  replay?: ReplaySource;
}

/** Beat truth for the last packet: what the generator placed, for tests and benches. */
export interface PacketTruth {
  /** Beats whose R peak lies in the packet; `sample` is relative to the packet's first sample. */
  beats: SynthBeat[];
  /** Heart rate the ECG was generated at, from the RR of recent beats (bpm); null if unknown. */
  heartRateBpm: number | null;
}

export interface SimulatedDevice {
  readonly deviceId: string;
  readonly scenario: Scenario;
  readonly fs: number;
  /** Packets produced so far (the next packet's `sequence`). */
  readonly sequence: number;
  /** Seconds of simulated time elapsed since the start. */
  readonly elapsedS: number;
  /**
   * The next packet (`packetSeconds` of data), or null when the device is silent for this
   * period: simulated time advances either way, so call it once per period.
   */
  nextPacket(): VitalsPacket | null;
  /** Generator truth for the most recent packet. */
  readonly lastTruth: PacketTruth;
}

function rampAt(ramp: Ramp, tS: number): number {
  const progress = Math.min(Math.max((tS - ramp.onsetS) / ramp.rampS, 0), 1);
  return ramp.start + (ramp.target - ramp.start) * progress;
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * A simulated ESP32 vitals device (seed 000 firmware): each call yields one packet of ECG
 * (ECGSYN, or a replayed recording) with the device's HR, SpO2, temperature, respiratory rate,
 * battery and lead-off flag, following the scenario. Vital signs wander around the scenario's
 * value as Ornstein–Uhlenbeck processes (mean-reverting noise) and are quantised as sensors
 * report them: SpO2 in whole percent (MAX30102 firmware), temperature to 0.1 °C.
 */
export function createSimulatedDevice(options: SimulatedDeviceOptions): SimulatedDevice {
  const {
    deviceId,
    fs = 250,
    seed = hashString(deviceId),
    startTimeMs = Date.now(),
    packetSeconds = 1,
    replay,
  } = options;
  if (typeof deviceId !== 'string' || deviceId === '') throw new Error('deviceId is required');
  const scenario =
    typeof options.scenario === 'object'
      ? options.scenario
      : SCENARIOS[options.scenario ?? 'normal'];
  if (!Number.isFinite(fs) || fs < 50 || fs > 2000)
    throw new Error('fs must be within 50..2000 Hz');
  if (replay && replay.fs !== fs) {
    throw new Error(`replay is at ${replay.fs} Hz, device at ${fs} Hz: resample it first`);
  }
  const samplesPerPacket = Math.round(packetSeconds * fs);
  const rng = createRng(seed ^ 0x3c6ef372);
  const synth = createEcgSynth({ ...scenario.ecg, fs, seed });
  // Each device starts its replay at its own offset, so replaying devices do not march in step.
  let replayPosition = replay ? rng.int(replay.ecgMv.length) : 0;

  const drift = { spo2: 0, temperature: 0, respiration: 0 };
  let battery = 55 + 45 * rng.uniform();
  /** ESP32 + AD8232 + MAX30102 on a 1000 mAh cell: about a day; 100 % / 24 h. */
  const batteryDrainPerS = 100 / 86_400;
  const recentRrMs: number[] = [];
  let sequence = 0;
  let lastTruth: PacketTruth = { beats: [], heartRateBpm: null };

  const ou = (x: number, sigma: number, tauS: number): number =>
    x - (x / tauS) * packetSeconds + sigma * Math.sqrt((2 * packetSeconds) / tauS) * rng.normal();

  const replayChunk = (): { ecg: Float64Array; beats: SynthBeat[]; hr: number | null } => {
    if (!replay) throw new Error('no replay');
    const ecg = new Float64Array(samplesPerPacket);
    const n = replay.ecgMv.length;
    const startSample = replayPosition;
    for (let i = 0; i < samplesPerPacket; i++) {
      ecg[i] = replay.ecgMv[(startSample + i) % n] ?? 0;
    }
    replayPosition = (startSample + samplesPerPacket) % n;
    const beats: SynthBeat[] = [];
    let hr: number | null = null;
    if (replay.beatTimesS && replay.beatTimesS.length > 1) {
      const times = replay.beatTimesS;
      const from = startSample / fs;
      const to = (startSample + samplesPerPacket) / fs;
      let previous: number | null = null;
      const window: number[] = [];
      for (const t of times) {
        if (t >= from - 5 && t < to && previous !== null) window.push((t - previous) * 1000);
        if (t >= from && t < to) {
          beats.push({
            sample: Math.round((t - from) * fs),
            timeS: t,
            rrMs: previous === null ? null : (t - previous) * 1000,
            kind: 'N',
          });
        }
        previous = t;
        if (t >= to) break;
      }
      if (window.length > 0) hr = 60_000 / (window.reduce((s, v) => s + v, 0) / window.length);
    }
    return { ecg, beats, hr };
  };

  return {
    deviceId,
    scenario,
    fs,
    get sequence(): number {
      return sequence;
    },
    get elapsedS(): number {
      return sequence * packetSeconds;
    },
    get lastTruth(): PacketTruth {
      return lastTruth;
    },
    nextPacket(): VitalsPacket | null {
      const tS = sequence * packetSeconds;
      const packetSequence = sequence;
      sequence++;
      // The synthetic stream advances even while silent or replaying so the rhythm is continuous.
      const synthEcg = synth.next(samplesPerPacket);
      const synthBeats = synth.takeBeats();
      let ecg = synthEcg;
      let beats = synthBeats.map((b) => ({
        ...b,
        sample: b.sample - packetSequence * samplesPerPacket,
      }));
      for (const beat of synthBeats) {
        if (beat.rrMs !== null) recentRrMs.push(beat.rrMs);
      }
      while (recentRrMs.length > 8) recentRrMs.shift();
      let heartRate =
        recentRrMs.length > 0
          ? 60_000 / (recentRrMs.reduce((s, v) => s + v, 0) / recentRrMs.length)
          : 60_000 / (synth.meanRrS * 1000);
      if (replay) {
        const chunk = replayChunk();
        ecg = chunk.ecg;
        beats = chunk.beats;
        if (chunk.hr !== null) heartRate = chunk.hr;
      }
      drift.spo2 = ou(drift.spo2, 0.6, 20);
      drift.temperature = ou(drift.temperature, 0.05, 120);
      drift.respiration = ou(drift.respiration, 1, 30);
      battery = Math.max(0, battery - batteryDrainPerS * packetSeconds);
      lastTruth = { beats, heartRateBpm: heartRate };
      if (scenario.silentAfterS !== null && tS >= scenario.silentAfterS) {
        lastTruth = { beats: [], heartRateBpm: null };
        return null;
      }
      const leadOff = scenario.leadOffAfterS !== null && tS >= scenario.leadOffAfterS;
      const samples = new Array<number>(ecg.length);
      for (let i = 0; i < ecg.length; i++) samples[i] = leadOff ? 0 : round(ecg[i] ?? 0, 3);
      const spo2 = Math.min(100, Math.round(rampAt(scenario.spo2Percent, tS) + drift.spo2));
      return {
        device_id: deviceId,
        timestamp: startTimeMs + Math.round(tS * 1000),
        ecg_samples: samples,
        ecg_sample_rate_hz: fs,
        heart_rate_bpm: Math.round(Math.min(Math.max(heartRate, 20), 300)),
        spo2_percent: spo2,
        sequence: packetSequence,
        battery_percent: round(battery, 1),
        temperature_c: round(rampAt(scenario.temperatureC, tS) + drift.temperature, 1),
        respiratory_rate: Math.max(4, Math.round(scenario.respiratoryRate + drift.respiration)),
        lead_off: leadOff,
      };
    },
  };
}
