/**
 * Samples needed on each side of a peak (ms) for its delineation to be final: the analysis only
 * reads `[peak − QRS_DELINEATE_CONTEXT_MS.before, peak + QRS_DELINEATE_CONTEXT_MS.after]`, so a
 * streaming caller that holds this context gets exactly the offline result.
 */
export const QRS_DELINEATE_CONTEXT_MS = { before: 250, after: 300 } as const;

/** The defaults of `QrsDelineateOptions` (documented there). */
export const QRS_DELINEATE_DEFAULTS = {
  onsetFraction: 0.04,
  offsetFraction: 0.08,
  quietMs: 8,
  maxOnsetMs: 150,
  maxOffsetMs: 200,
} as const;
