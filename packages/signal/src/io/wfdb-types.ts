/** Types of the WFDB readers (PhysioNet WFDB file formats, https://wfdb.io/spec/). */

/** One signal line of a WFDB header (`.hea`). */
export interface WfdbSignalSpec {
  /** Data file name, relative to the header's folder. */
  fileName: string;
  /** Storage format number (212, 16, 61, 80 are supported by `readWfdbRecord`). */
  format: number;
  /** Samples per frame (1 for ordinary records). */
  samplesPerFrame: number;
  /** Skew in samples (read, not applied). */
  skew: number;
  /** Byte offset of the first sample in the data file. */
  byteOffset: number;
  /** ADC units per physical unit (WFDB default 200 when absent or 0). */
  gain: number;
  /** ADC value corresponding to 0 physical units (defaults to `adcZero`). */
  baseline: number;
  /** Physical units (default `mV`). */
  units: string;
  /** ADC resolution in bits (0 when absent). */
  adcResolution: number;
  /** ADC value at the middle of the input range. */
  adcZero: number;
  /** Value of the first sample, or null when absent. */
  initialValue: number | null;
  /** 16-bit checksum of all samples, or null when absent. */
  checksum: number | null;
  /** Block size in bytes (0 for ordinary files). */
  blockSize: number;
  /** Signal description, e.g. `MLII`. */
  description: string;
}

/** A parsed WFDB header. */
export interface WfdbHeader {
  name: string;
  nSignals: number;
  /** Sampling frequency in Hz (samples per second per signal). Default 250 as in WFDB. */
  fs: number;
  /** Counter frequency in Hz, or null when absent. */
  counterFrequency: number | null;
  /** Base counter value, or null when absent. */
  baseCounter: number | null;
  /** Number of samples per signal, or null when the header omits it. */
  nSamples: number | null;
  /** Base time `HH:MM:SS` as written, or null. */
  baseTime: string | null;
  /** Base date `DD/MM/YYYY` as written, or null. */
  baseDate: string | null;
  signals: WfdbSignalSpec[];
  /** Comment lines (text after `#`, trimmed). */
  comments: string[];
}

export interface WfdbSignal {
  description: string;
  units: string;
  gain: number;
  baseline: number;
  adcZero: number;
  /** Raw ADC values. Invalid samples (WFDB "no data") are kept as their raw sentinel value. */
  digital: Int32Array;
  /** `(digital - baseline) / gain` in `units` (mV for ECG); NaN where the sample is invalid. */
  physical: Float64Array;
}

export interface WfdbRecord {
  name: string;
  /** Sampling frequency in Hz. */
  fs: number;
  nSamples: number;
  signals: WfdbSignal[];
  /** The parsed header the record was decoded with. */
  header: WfdbHeader;
}

/** One annotation of an MIT-format annotation file (WFDB `getann` semantics). */
export interface Annotation {
  /** Sample index (in the record's sampling) the annotation refers to. */
  sample: number;
  /** Mnemonic, e.g. `N`, `V`, `+` (rhythm change), `~` (noise). */
  symbol: string;
  /** Numeric annotation code (WFDB ecgcodes.h). */
  code: number;
  subtype: number;
  chan: number;
  num: number;
  /** Auxiliary text, e.g. `(AFIB` for rhythm changes; empty when absent. */
  aux: string;
}
