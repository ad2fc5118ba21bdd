import { SignalInputError } from '../errors.js';
import { assertEcg12Input } from './assert-ecg12-input.js';

/** The interchanges of two limb electrodes that keep every lead measurable (RL is the ground). */
export const ECG12_LIMB_SWAPS = ['LA/RA', 'LA/LL', 'RA/LL'] as const;
export type Ecg12LimbSwap = (typeof ECG12_LIMB_SWAPS)[number];

export interface SwapEcg12LimbElectrodesOptions {
  /** Sampling rate of every lead, Hz (250–1000); checked with the leads. */
  samplingRateHz: number;
  /** The two electrodes interchanged: 'LA/RA' (default), 'LA/LL' or 'RA/LL'. */
  swap?: Ecg12LimbSwap;
}

/**
 * Each output limb lead (I, II, III, aVR, aVL, aVF) as ±(an input lead), from the electrode
 * potentials R, L, F: I = L − R, II = F − R, III = F − L, aVR = R − (L + F)/2, aVL = L − (R + F)/2,
 * aVF = F − (R + L)/2, the interchanged electrodes exchanging their potentials (Batchvarov, Malik
 * & Camm, Europace 2007;9:1081, table 1). Entry [k] = [input lead, sign] of output lead k.
 */
const TABLES: Record<Ecg12LimbSwap, [number, 1 | -1][]> = {
  // R ↔ L: I = R − L = −I, II = F − L = III, III = F − R = II, aVR ↔ aVL, aVF unchanged.
  'LA/RA': [
    [0, -1],
    [2, 1],
    [1, 1],
    [4, 1],
    [3, 1],
    [5, 1],
  ],
  // L ↔ F: I = F − R = II, II = L − R = I, III = L − F = −III, aVR unchanged, aVL ↔ aVF.
  'LA/LL': [
    [1, 1],
    [0, 1],
    [2, -1],
    [3, 1],
    [5, 1],
    [4, 1],
  ],
  // R ↔ F: I = L − F = −III, II = R − F = −II, III = R − L = −I, aVR ↔ aVF, aVL unchanged.
  'RA/LL': [
    [2, -1],
    [1, -1],
    [0, -1],
    [5, 1],
    [4, 1],
    [3, 1],
  ],
};

/**
 * The 12 leads a recorder would have written had two limb electrodes been interchanged: the
 * limb leads permuted and inverted as the exchanged electrode potentials dictate (the exact
 * relations, so the record's own noise and rounding are kept), V1–V6 unchanged (Wilson's central
 * terminal is the mean of the three limb electrodes, which no interchange among them alters).
 * Used to construct reversed copies of real recordings for evaluation and tests. Returns new
 * arrays of the input's type.
 */
export function swapEcg12LimbElectrodes<T extends Float32Array | Float64Array>(
  leads: readonly T[],
  options: SwapEcg12LimbElectrodesOptions,
): T[] {
  assertEcg12Input(leads, options.samplingRateHz);
  const { swap = 'LA/RA' } = options;
  const table = TABLES[swap] as [number, 1 | -1][] | undefined;
  if (table === undefined) {
    throw new SignalInputError(
      'INVALID_OPTION',
      'options.swap',
      `swap must be one of ${ECG12_LIMB_SWAPS.join(', ')}, got ${swap}`,
    );
  }
  return leads.map((lead, k) => {
    const out = lead.slice() as T;
    const entry = table[k];
    if (entry === undefined) return out;
    const [from, sign] = entry;
    const source = leads[from] as T;
    for (let i = 0; i < out.length; i++) out[i] = sign * (source[i] ?? 0);
    return out;
  });
}
