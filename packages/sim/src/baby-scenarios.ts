export const BABY_SCENARIO_NAMES = ['baby-cry', 'baby-calm'] as const;
export type BabyScenarioName = (typeof BABY_SCENARIO_NAMES)[number];

/** A fever: from the baseline up to `peakC` and back, in seconds from the start of a cycle. */
export interface FeverEpisode {
  onsetS: number;
  riseS: number;
  peakC: number;
  /** Seconds at the peak before it falls. */
  holdS: number;
  fallS: number;
}

/** Seconds of a cycle during which the baby cries (clips are cries, and more frequent). */
export interface CryEpisode {
  onsetS: number;
  durationS: number;
}

export interface BabyScenario {
  name: BabyScenarioName;
  description: string;
  /** Seconds between readings (temperature and humidity). */
  readingEveryS: number;
  /** Seconds between audio clips outside a cry episode. */
  clipEveryS: number;
  /** Seconds between audio clips during a cry episode. */
  cryClipEveryS: number;
  /** Baseline temperature, °C (the monitor's skin probe). */
  temperatureC: number;
  /** Baseline relative humidity of the nursery, %. */
  humidityPercent: number;
  fever: FeverEpisode | null;
  cry: CryEpisode | null;
  /** The scenario repeats every `cycleS` seconds, so a long-running demo keeps showing it. */
  cycleS: number;
}

/**
 * Scenarios of the simulated baby monitor (seed 002). Seed 002 calls a baby possibly sick when a
 * cry coincides with a temperature at or above 38.0 °C, so `baby-cry` peaks above that and
 * starts crying once the fever is there: its first cry clip, 45 s after the start, is a
 * `CRY_DETECTED` with `sick_detected` true.
 */
export const BABY_SCENARIOS: Readonly<Record<BabyScenarioName, BabyScenario>> = {
  'baby-cry': {
    name: 'baby-cry',
    description:
      'Every 15 min: fever 36.8 → 38.6 °C from 15 s to 45 s, crying from 45 s to 105 s (a cry clip every 10 s), fever gone by 6 min; quiet clips every 30 s otherwise',
    readingEveryS: 5,
    clipEveryS: 30,
    cryClipEveryS: 10,
    temperatureC: 36.8,
    humidityPercent: 50,
    fever: { onsetS: 15, riseS: 30, peakC: 38.6, holdS: 195, fallS: 120 },
    cry: { onsetS: 45, durationS: 60 },
    cycleS: 900,
  },
  'baby-calm': {
    name: 'baby-calm',
    description: 'A calm baby at 36.8 °C: readings every 5 s, quiet clips every 30 s',
    readingEveryS: 5,
    clipEveryS: 30,
    cryClipEveryS: 10,
    temperatureC: 36.8,
    humidityPercent: 50,
    fever: null,
    cry: null,
    cycleS: 900,
  },
};

export function isBabyScenarioName(value: string): value is BabyScenarioName {
  return (BABY_SCENARIO_NAMES as readonly string[]).includes(value);
}
