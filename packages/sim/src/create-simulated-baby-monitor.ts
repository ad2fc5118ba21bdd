import { createRng } from '@vigil/signal';
import { loadBabyClips, type BabyClip } from './baby-clips.js';
import { BABY_SCENARIOS, type BabyScenario, type BabyScenarioName } from './baby-scenarios.js';
import { hashString } from './hash-string.js';

/** One reading of the simulated monitor: what it uploads to `POST /api/v1/readings`. */
export interface BabyMonitorReading {
  /** Counts readings from 0. */
  sequence: number;
  /** Epoch ms of the reading (simulated time). */
  timestamp: number;
  /** °C, to 0.1 as the monitor's probe reports it. */
  temperature: number;
  /** Relative humidity, whole %. */
  humidity: number;
  notes: string | null;
  /** A clip recorded with this reading, or null. */
  audio: BabyClip | null;
}

export interface SimulatedBabyMonitorOptions {
  deviceId: string;
  /** Scenario name or a custom scenario. Default `baby-cry`. */
  scenario?: BabyScenarioName | BabyScenario;
  /** Seed of every random choice; default derived from `deviceId`. */
  seed?: number;
  /** Epoch ms of the first reading. Default `Date.now()`. */
  startTimeMs?: number;
}

export interface SimulatedBabyMonitor {
  readonly deviceId: string;
  readonly scenario: BabyScenario;
  /** Seconds of simulated time between two readings. */
  readonly readingEveryS: number;
  /** The next reading; simulated time advances by `readingEveryS` per call. */
  nextReading(): BabyMonitorReading;
}

/** The scenario's fever at `tS` seconds into its cycle, °C above the baseline. */
function feverAt(s: BabyScenario, tS: number): number {
  const f = s.fever;
  if (f === null) return 0;
  const rise = f.peakC - s.temperatureC;
  const t = tS - f.onsetS;
  if (t < 0) return 0;
  if (t < f.riseS) return (rise * t) / f.riseS;
  if (t < f.riseS + f.holdS) return rise;
  const falling = t - f.riseS - f.holdS;
  return falling < f.fallS ? rise * (1 - falling / f.fallS) : 0;
}

function isCrying(s: BabyScenario, tS: number): boolean {
  return s.cry !== null && tS >= s.cry.onsetS && tS < s.cry.onsetS + s.cry.durationS;
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * A simulated nursery monitor (seed 002): a reading every few seconds with the baby's
 * temperature and the room's humidity, and now and then an audio clip, following the scenario.
 * Clips are the committed recordings of `assets/baby-monitor`: real infant cries during a cry
 * episode, soothing speech or room noise otherwise. Temperature and humidity wander as
 * Ornstein–Uhlenbeck processes around the scenario's course; every random choice comes from the
 * seed, so a monitor is reproducible.
 */
export function createSimulatedBabyMonitor(
  options: SimulatedBabyMonitorOptions,
): SimulatedBabyMonitor {
  const { deviceId, seed = hashString(deviceId), startTimeMs = Date.now() } = options;
  if (typeof deviceId !== 'string' || deviceId === '') throw new Error('deviceId is required');
  const scenario =
    typeof options.scenario === 'object'
      ? options.scenario
      : BABY_SCENARIOS[options.scenario ?? 'baby-cry'];
  const step = scenario.readingEveryS;
  if (!(step > 0)) throw new Error('readingEveryS must be positive');
  const clips = loadBabyClips();
  const rng = createRng(seed ^ 0x5bd1e995);
  const drift = { temperature: 0, humidity: 0 };
  const ou = (x: number, sigma: number, tauS: number): number =>
    x - (x / tauS) * step + sigma * Math.sqrt((2 * step) / tauS) * rng.normal();
  let sequence = 0;
  let lastClipS = Number.NEGATIVE_INFINITY;
  let wasCrying = false;
  let cryIndex = 0;
  let quietIndex = 0;

  return {
    deviceId,
    scenario,
    readingEveryS: step,
    nextReading(): BabyMonitorReading {
      const tS = sequence * step;
      const inCycle = tS % scenario.cycleS;
      const crying = isCrying(scenario, inCycle);
      drift.temperature = ou(drift.temperature, 0.05, 120);
      drift.humidity = ou(drift.humidity, 2, 300);
      // A cry episode starts with a clip at once; then clips come at the episode's pace.
      const every = crying ? scenario.cryClipEveryS : scenario.clipEveryS;
      let audio: BabyClip | null = null;
      if ((crying && !wasCrying) || tS - lastClipS >= every) {
        lastClipS = tS;
        audio = crying
          ? (clips.cries[cryIndex++ % clips.cries.length] ?? null)
          : (clips.quiet[quietIndex++ % clips.quiet.length] ?? null);
      }
      wasCrying = crying;
      const reading: BabyMonitorReading = {
        sequence,
        timestamp: startTimeMs + Math.round(tS * 1000),
        temperature: round(
          scenario.temperatureC + feverAt(scenario, inCycle) + drift.temperature,
          1,
        ),
        humidity: Math.round(Math.min(100, Math.max(0, scenario.humidityPercent + drift.humidity))),
        notes: crying && audio !== null ? 'crying' : null,
        audio,
      };
      sequence++;
      return reading;
    },
  };
}
