/**
 * Recordings this project never reads for training, tuning, selection or evaluation: they are
 * held out to judge it (MIT-BIH Arrhythmia DS2, de Chazal et al. 2004's test half, and CPSC 2021
 * patients 8, 35 and 92). Tools skip them unread when a data folder holds them.
 */
export const MITDB_DS2: ReadonlySet<string> = new Set(
  '100 103 105 111 113 117 121 123 200 202 210 212 213 214 219 221 222 228 231 232 233 234'.split(
    ' ',
  ),
);

/** CPSC 2021 record names (`data_<patient>_<n>`) of patients 8, 35 and 92. */
export const CPSC2021_HELD_OUT = /^data_(8|35|92)_/;
