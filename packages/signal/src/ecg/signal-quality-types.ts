/** Options and result of `signalQuality` (also used by the live analyzer's quality tracker). */
export interface SignalQualityOptions {
  /** A 1 s window whose peak-to-peak amplitude is below this is flat, mV (default 0.05). */
  flatMv?: number;
  /** Largest tolerated fraction of flat 1 s windows (default 0.25). */
  maxFlatFraction?: number;
  /** Largest tolerated fraction of samples stuck at the segment's extremes (default 0.02). */
  maxClippedFraction?: number;
  /** A run of samples at an extreme counts as clipping from this length, ms (default 20). */
  clipRunMs?: number;
  /** ADC rails in mV, when known: samples within 0.5 % of the span of a rail count as saturated. */
  railsMv?: [number, number];
  /** Smallest kurtosis of an ECG segment (default 5, Li, Mark & Clifford 2008 kSQI). */
  minKurtosis?: number;
  /** Largest tolerated fraction of power above 40 Hz, mains bands excluded (default 0.5). */
  maxHfRatio?: number;
  /**
   * Largest tolerated fraction of power below 0.5 Hz (default 0.95). Exceeded in 12 of 9878
   * 12 s windows of MIT-BIH DS1, all in baseline excursions of several mV (electrode motion,
   * amplifier recovery) during which beats are lost.
   */
  maxBaselineRatio?: number;
  /** Shortest segment assessed, s (default 2); shorter gives `too-short`, not analysable. */
  minDurationS?: number;
}

/** Outcome of `signalQuality`. */
export interface SignalQuality {
  /** 0 (unusable) … 1 (clean): the lowest of the component scores in `metrics`. */
  score: number;
  /** False when any hard rule fails; then no heart rate, beat or HRV should be reported. */
  analysable: boolean;
  /**
   * Stable reason codes: `too-short`, `flat-line`, `saturation`, `low-kurtosis`,
   * `high-frequency-noise`, `baseline-wander`; plus `mains-interference` as a warning that does
   * not by itself make the segment unanalysable (filters remove it).
   */
  reasons: string[];
  metrics: {
    /** Fraction of 1 s windows with peak-to-peak below `flatMv`. */
    flatFraction: number;
    /** Fraction of samples stuck at an extreme (runs ≥ `clipRunMs`) or at a rail. */
    clippedFraction: number;
    /** Kurtosis (non-excess; 3 for Gaussian noise) of the low-passed slope of the segment. */
    kurtosis: number;
    /** Power above 40 Hz (mains bands excluded) / power above 0.5 Hz. */
    hfRatio: number;
    /** Power below 0.5 Hz / total power (1 − basSQI of Clifford et al. 2012, wider band). */
    baselineRatio: number;
    /** Power within ±1 Hz of 50/60 Hz / power above 0.5 Hz. */
    mainsRatio: number;
  };
}
