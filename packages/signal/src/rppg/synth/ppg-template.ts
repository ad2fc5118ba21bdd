/**
 * One beat of a real fingertip-style PPG, trough to trough, 40 points scaled to 0–1: the mean of
 * 20 beats of `sample_vitals_2.csv` in Rouast Labs' vitallens-python (MIT licence, commit
 * f9fc5bfc; see ../../../README.md "Camera heart rate"), each beat resampled to 40 points with
 * the line between its two troughs subtracted. The dicrotic shoulder near 0.45 is real.
 */
export const PPG_BEAT_TEMPLATE: readonly number[] = [
  0, 0.044, 0.159, 0.345, 0.595, 0.819, 0.957, 1, 0.961, 0.88, 0.788, 0.701, 0.629, 0.567, 0.521,
  0.491, 0.475, 0.464, 0.446, 0.419, 0.385, 0.346, 0.302, 0.263, 0.231, 0.2, 0.172, 0.15, 0.132,
  0.119, 0.107, 0.097, 0.086, 0.074, 0.065, 0.054, 0.044, 0.035, 0.023, 0.011,
];
