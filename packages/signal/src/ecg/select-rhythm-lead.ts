import { SignalInputError } from '../errors.js';
import { assertSamplingRate } from '../hrv/assert-sampling-rate.js';
import { QRS_MAX_FS, QRS_MIN_FS } from './qrs-detector-options.js';
import { slopeKurtosis } from './quality-parts.js';

export interface SelectRhythmLeadOptions {
  /**
   * Index of the preferred lead (default 0). It is kept while its slope kurtosis reaches
   * `minKurtosis`, so a clean stream keeps one lead from packet to packet and the streaming
   * detector never sees its amplitude jump.
   */
  preferredIndex?: number;
  /**
   * Slope kurtosis at or above which a lead counts as QRS-dominated (default 5: kSQI > 5 marks
   * clean ECG in Li, Mark & Clifford, Physiol Meas 2008;29:15–32; on MIT-BIH DS1 the 5th
   * percentile of clean ECG is ≈ 7 and noise ≈ 3, see quality-parts.ts).
   */
  minKurtosis?: number;
}

/**
 * Which of several simultaneous leads to give a single-lead rhythm analysis: the preferred lead
 * (lead II when the caller passes its index) while it looks like ECG, else the lead whose slope
 * is most super-Gaussian (QRS complexes dominate it most). Returns the lead's index.
 *
 * @param leadsMv simultaneous leads, each the same length, mV
 * @param fsHz sampling rate, Hz (100–1000)
 */
export function selectRhythmLead(
  leadsMv: readonly (Float64Array | Float32Array)[],
  fsHz: number,
  options: SelectRhythmLeadOptions = {},
): number {
  if (leadsMv.length === 0) throw new SignalInputError('EMPTY_INPUT', 'leadsMv', 'no leads');
  assertSamplingRate(fsHz, 'fsHz', { min: QRS_MIN_FS, max: QRS_MAX_FS });
  const preferred = options.preferredIndex ?? 0;
  const minKurtosis = options.minKurtosis ?? 5;
  if (!Number.isInteger(preferred) || preferred < 0 || preferred >= leadsMv.length)
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.preferredIndex',
      'options.preferredIndex must index one of the leads',
    );
  const n = leadsMv[0]?.length ?? 0;
  // Too short for a kurtosis (less than two 25 ms lags): nothing to choose on.
  if (n < Math.ceil(fsHz * 0.1) || leadsMv.length === 1) return preferred;
  const kurtosis = leadsMv.map((lead) => {
    const k = slopeKurtosis(lead, 0, lead.length, fsHz);
    return Number.isFinite(k) ? k : 0;
  });
  if ((kurtosis[preferred] ?? 0) >= minKurtosis) return preferred;
  let best = preferred;
  for (let i = 0; i < kurtosis.length; i++)
    if ((kurtosis[i] ?? 0) > (kurtosis[best] ?? 0)) best = i;
  return best;
}
