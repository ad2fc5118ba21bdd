/** Types shared by the HRV functions. Times in ms, rates in bpm, powers in ms². */

/** A normal-to-normal (NN) interval series, as returned by `nnIntervals`. */
export interface NnSeries {
  /** Kept NN intervals in ms. */
  nnMs: Float64Array;
  /** Time of the beat that ends each kept interval, in ms from sample 0 of the record. */
  timesMs: Float64Array;
  /**
   * 1 where interval i starts at the beat that ends interval i-1 (the two are adjacent), 0 after a
   * gap left by an excluded interval. Successive differences are taken only where this is 1.
   */
  followsPrevious: Uint8Array;
  /** Number of RR intervals examined (beats - 1). */
  nRr: number;
  /** RR intervals excluded, by reason. */
  excluded: {
    /** An end beat was marked not normal by `options.beatIsNormal`. */
    notNormalBeat: number;
    /** Outside `[minRrMs, maxRrMs]` (missed beats, double detections, pauses). */
    outOfRange: number;
    /** Deviates from the local median by more than `maxRelativeDeviation` (ectopic or artefact). */
    relativeDeviation: number;
  };
}

/** Time-domain HRV (Task Force of the ESC and NASPE, Circulation 1996;93:1043–65). */
export interface HrvTimeDomain {
  /** Number of NN intervals. */
  nIntervals: number;
  /** Number of successive differences (pairs of adjacent NN intervals). */
  nDifferences: number;
  meanNnMs: number;
  /** Standard deviation of NN intervals (sample SD, n-1). */
  sdnnMs: number;
  /** Root mean square of successive differences. */
  rmssdMs: number;
  /** Standard deviation of successive differences (sample SD, n-1). */
  sdsdMs: number;
  /** Percentage (0..100) of successive differences larger than 50 ms. */
  pnn50: number;
  /** Percentage (0..100) of successive differences larger than 20 ms. */
  pnn20: number;
  /** 60000 / meanNnMs. */
  hrMeanBpm: number;
  /** Minimum of the HR averaged over `hrAverageBeats` consecutive NN intervals. */
  hrMinBpm: number;
  /** Maximum of the HR averaged over `hrAverageBeats` consecutive NN intervals. */
  hrMaxBpm: number;
}

/** Frequency-domain HRV (Task Force 1996 bands), powers in ms². */
export interface HrvFrequencyDomain {
  /** Power 0.0033–0.04 Hz. Only meaningful for recordings of several minutes or more. */
  vlfMs2: number;
  /** Power 0.04–0.15 Hz. */
  lfMs2: number;
  /** Power 0.15–0.4 Hz. */
  hfMs2: number;
  /** Power 0.0033–0.4 Hz. */
  totalMs2: number;
  /** LF / HF (NaN when HF is 0). */
  lfHfRatio: number;
  /** 100 · LF / (LF + HF), normalised units. */
  lfNu: number;
  /** 100 · HF / (LF + HF), normalised units. */
  hfNu: number;
  /** Frequency of the largest periodogram value in the LF band, Hz. */
  lfPeakHz: number;
  /** Frequency of the largest periodogram value in the HF band, Hz. */
  hfPeakHz: number;
  /** Frequencies of the evaluated spectrum, Hz. */
  frequenciesHz: Float64Array;
  /** One-sided power spectral density at `frequenciesHz`, ms²/Hz. */
  psdMs2PerHz: Float64Array;
}

/** Poincaré plot descriptors (Brennan, Palaniswami & Kamen, IEEE TBME 2001;48:1342–7). */
export interface Poincare {
  /** Number of (NN_i, NN_i+1) pairs used. */
  nPairs: number;
  /** SD perpendicular to the identity line, ms (short-term variability). */
  sd1Ms: number;
  /** SD along the identity line, ms (long-term variability). */
  sd2Ms: number;
  /** SD1 / SD2 (NaN when SD2 is 0). */
  sd1Sd2Ratio: number;
}
