/** A 12-lead record as read by `decodeEcg12Record` / `readEcg12Record`. */
export interface Ecg12Record {
  name: string;
  /** Sampling rate, Hz. */
  samplingRateHz: number;
  /** The 12 leads in the order I II III aVR aVL aVF V1–V6, in mV. */
  leadsMv: Float32Array[];
  /** Age in years from a `# Age:` header comment, or null. */
  age: number | null;
  /** Sex from a `# Sex:` header comment, or null. */
  sex: 'male' | 'female' | null;
  /** Diagnosis codes of a `# Dx:` comment (SNOMED-CT in the CinC 2021 files); empty when absent. */
  dx: string[];
}
