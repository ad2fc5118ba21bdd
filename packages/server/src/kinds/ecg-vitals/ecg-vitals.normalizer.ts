import { ECG_LEAD_NAMES, type EcgInputProfile, type VitalsPacket } from '@vigil/protocol';
import { selectRhythmLead } from '@vigil/signal';
import { validationFailed } from '../../errors/catalogue.js';
import { finiteOrNull } from '../../ingest/timestamps.js';
import type { DeviceIdentity } from '../../services/devices.service.js';
import { AD8232_ESP32_12BIT, MV_PROFILE } from '../../services/ecg-input-profile.js';

export const DEFAULT_ECG_FS_HZ = 250;
/**
 * The rate of seed 004's `batch` when the packet names none: its back end computes RR intervals
 * with `fs=500` (back/utils.py `calculate_rr_intervals`), the rate of the PTB-XL/CinC records
 * its sensors replay.
 */
export const DEFAULT_BATCH_FS_HZ = 500;

/** A multi-lead packet's leads (1–12), mV, in the standard order, and the one rhythm uses. */
export interface MultiLeadValues {
  names: string[];
  samplesMv: Float64Array[];
  /** Index in `names` of the lead given to the single-lead rhythm analysis (`samples`). */
  rhythmIndex: number;
}
/**
 * Largest ECG sample magnitude accepted, mV. Body-surface ECG is a few mV (QRS rarely above 5 mV)
 * and an electrode offset that large saturates any ECG front end long before; a value beyond it
 * is a unit mistake (raw ADC counts, µV) or garbage. It also bounds the stored chunk's int16
 * scale (ecg-codec: max |sample| / 32767, so 1.5 µV at worst): one absurd sample (−1e308) used to
 * set the scale so that every other sample of its packet was stored as 0.
 */
export const MAX_ECG_MV = 50;

/** An ECG vitals packet's values after normalisation (the envelope is the core's). */
export interface EcgVitalsValues {
  /** Hz. */
  fs: number;
  /** mV, oldest first, one lead. */
  samples: Float64Array;
  hr: number | null;
  spo2: number | null;
  temp: number | null;
  resp: number | null;
  battery: number | null;
  leadOff: boolean | null;
  /** The profile the samples were converted with (`mv`, `ad8232-esp32-12bit`, `custom`, `unknown`). */
  input: string;
  /** false: units unknown, amplitudes are relative (timing-only analysis). */
  unitsKnown: boolean;
  /**
   * The ADC's rails in mV when the samples came as counts (0 and 2^bits − 1 through the
   * profile), so the analysis can flag saturation; null for mV or unknown input.
   */
  railsMv: [number, number] | null;
  windowMs: number | null;
  beatTimestampsMs: number[] | null;
  /** The named leads of a multi-lead packet (`leads` or seed 004's `batch`); null for one lead. */
  leads: MultiLeadValues | null;
  /**
   * The profile an `auto` device is locked to by this packet, whose samples fit one unit only
   * (mV, or the firmware's 12-bit counts); null when they fit both, or the device has a profile.
   */
  locksTo: EcgInputProfile | null;
}

/**
 * Checks what the packet's JSON schema cannot: finiteness (JSON allows 1e999 = Infinity), the
 * ECG range, the ranges of the device's own readings and the agreement of the two names of the
 * ECG rate. Throws VALIDATION_FAILED naming the field.
 */
export function normalizeEcgVitals(
  p: VitalsPacket,
  field: (name: string) => string,
  device: Pick<DeviceIdentity, 'ecg_input'>,
): EcgVitalsValues {
  const multi = multiLeadsOf(p, field);
  if (multi !== null) {
    if (p.ecg_samples !== undefined)
      throw validationFailed(
        field('ecg_samples'),
        `${field('ecg_samples')}: send one lead in ecg_samples or several in leads/batch, not both`,
      );
    // The packet's other fields are checked as for one lead; the leads replace its samples.
    const single: VitalsPacket = { ...p, ecg_samples: [] };
    delete single.leads;
    delete single.batch;
    return { ...normalizeEcgVitals(single, field, MV_ONLY), ...multi };
  }
  const raw = p.ecg_samples;
  if (raw === undefined)
    throw validationFailed(field('ecg_samples'), `${field('ecg_samples')} is required (or leads)`);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (v === undefined || !Number.isFinite(v))
      throw validationFailed(
        field(`ecg_samples[${i}]`),
        `${field(`ecg_samples[${i}]`)} must be a finite number`,
      );
  }
  const { samples, input, unitsKnown, railsMv, locksTo } = samplesToMv(
    raw,
    device.ecg_input,
    field,
  );
  // The seed-000 firmware sends 0 for a pulse oximeter that has no reading (finger out, sensor
  // off): no reading, stored as absent, never a measured 0 (nor a refused packet).
  const reading = (v: number | null): number | null => (v === 0 ? null : v);
  const hr = reading(finiteOrNull(p.heart_rate_bpm, field('heart_rate_bpm')));
  if (hr !== null && (hr < 0 || hr > 300))
    throw validationFailed(
      field('heart_rate_bpm'),
      `${field('heart_rate_bpm')} must be ≥ 0 and ≤ 300`,
    );
  const spo2 = reading(finiteOrNull(p.spo2_percent, field('spo2_percent')));
  if (spo2 !== null && (spo2 < 0 || spo2 > 100))
    throw validationFailed(
      field('spo2_percent'),
      `${field('spo2_percent')} must be between 0 and 100`,
    );
  // `sample_rate_hz` is the seed-000 firmware's name for the ECG rate. Ignoring it analysed a
  // 100 Hz stream as 250 Hz (60 bpm read as 150 bpm), so it is read, and must agree with
  // `ecg_sample_rate_hz` when both are sent.
  const fsNamed = finiteOrNull(p.ecg_sample_rate_hz, field('ecg_sample_rate_hz'));
  const fsAlias = finiteOrNull(p.sample_rate_hz, field('sample_rate_hz'));
  if (fsNamed !== null && fsAlias !== null && fsNamed !== fsAlias)
    throw validationFailed(
      field('sample_rate_hz'),
      `${field('sample_rate_hz')} (${String(fsAlias)} Hz) contradicts ${field('ecg_sample_rate_hz')} (${String(fsNamed)} Hz)`,
    );
  return {
    fs: fsNamed ?? fsAlias ?? DEFAULT_ECG_FS_HZ,
    samples,
    hr,
    spo2,
    temp: finiteOrNull(p.temperature_c, field('temperature_c')),
    resp: finiteOrNull(p.respiratory_rate, field('respiratory_rate')),
    battery: finiteOrNull(p.battery_percent, field('battery_percent')),
    leadOff: leadOff(p, field),
    input,
    unitsKnown,
    railsMv,
    windowMs: p.window_ms ?? null,
    beatTimestampsMs: p.beat_timestamps_ms ?? null,
    leads: null,
    locksTo,
  };
}

/** Multi-lead samples are mV (seed 004's sensors write physical units, as WFDB rdsamp gives). */
const MV_ONLY: Pick<DeviceIdentity, 'ecg_input'> = { ecg_input: MV_PROFILE };

/** Lead II: the conventional rhythm lead, kept while it shows clean QRS complexes. */
const RHYTHM_LEAD = 'II';

/**
 * The leads of a multi-lead packet: named `leads`, or seed 004's `batch` of `{lead1 … lead12}`
 * samples (a lead absent from every sample is one the device lacks; absent from some samples is
 * refused). Every lead in mV within ±MAX_ECG_MV and of one length. The rhythm lead is lead II
 * while it looks like ECG, else the most QRS-like (selectRhythmLead); it becomes `samples`.
 */
function multiLeadsOf(
  p: VitalsPacket,
  field: (name: string) => string,
): Pick<EcgVitalsValues, 'fs' | 'samples' | 'leads'> | null {
  if (p.leads !== undefined && p.batch !== undefined)
    throw validationFailed(field('batch'), `${field('batch')}: send leads or batch, not both`);
  let named: { name: string; raw: readonly number[]; path: (i: number) => string }[];
  let fs: number;
  const rate = p.ecg_sample_rate_hz ?? p.sample_rate_hz;
  if (p.leads !== undefined) {
    const leads = p.leads as Record<string, number[] | undefined>;
    named = ECG_LEAD_NAMES.flatMap((name) => {
      const raw = leads[name];
      return raw === undefined
        ? []
        : [{ name, raw, path: (i: number) => field(`leads.${name}[${i}]`) }];
    });
    fs = rate ?? DEFAULT_ECG_FS_HZ;
  } else if (p.batch !== undefined) {
    const batch = p.batch as Record<string, number | undefined>[];
    named = ECG_LEAD_NAMES.flatMap((name, l) => {
      const key = `lead${l + 1}`;
      const first = batch.findIndex((s) => s[key] !== undefined);
      if (first < 0) return [];
      const raw = batch.map((s, i) => {
        const v = s[key];
        if (v === undefined)
          throw validationFailed(
            field(`batch[${i}].${key}`),
            `${field(`batch[${i}].${key}`)} is missing while other samples have ${key}`,
          );
        return v;
      });
      return [{ name, raw, path: (i: number) => field(`batch[${i}].${key}`) }];
    });
    if (named.length === 0)
      throw validationFailed(field('batch'), `${field('batch')}: no sample has lead1 … lead12`);
    fs = rate ?? DEFAULT_BATCH_FS_HZ;
  } else return null;
  const n = named[0]?.raw.length ?? 0;
  const samplesMv = named.map(({ name, raw, path }) => {
    if (raw.length !== n)
      throw validationFailed(
        field(`leads.${name}`),
        `${field(`leads.${name}`)} has ${raw.length} samples where ${named[0]?.name ?? ''} has ${n}`,
      );
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = raw[i];
      if (v === undefined || !Number.isFinite(v) || Math.abs(v) > MAX_ECG_MV)
        throw validationFailed(
          path(i),
          `${path(i)} must be a finite number within ±${MAX_ECG_MV} mV`,
        );
      out[i] = v;
    }
    return out;
  });
  const names = named.map((l) => l.name);
  const preferred = Math.max(0, names.indexOf(RHYTHM_LEAD));
  // The lead choice needs a rate the QRS tools accept (100–1000 Hz); below it, lead II stays.
  const rhythmIndex =
    fs >= 100 && fs <= 1000
      ? selectRhythmLead(samplesMv, fs, { preferredIndex: preferred })
      : preferred;
  return {
    fs,
    samples: samplesMv[rhythmIndex] ?? new Float64Array(0),
    leads: { names, samplesMv, rhythmIndex },
  };
}

/** `ecg_lead_off` is the cardiac-monitor firmware's name for `lead_off`; both sent must agree. */
function leadOff(p: VitalsPacket, field: (name: string) => string): boolean | null {
  if (p.lead_off !== undefined && p.ecg_lead_off !== undefined && p.lead_off !== p.ecg_lead_off)
    throw validationFailed(
      field('ecg_lead_off'),
      `${field('ecg_lead_off')} contradicts ${field('lead_off')}`,
    );
  return p.lead_off ?? p.ecg_lead_off ?? null;
}

const within = (raw: readonly number[], lo: number, hi: number, integers: boolean): number => {
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] ?? NaN;
    if (!(v >= lo && v <= hi) || (integers && !Number.isInteger(v))) return i;
  }
  return -1;
};

/**
 * The one conversion of a packet's samples to mV (everything downstream is mV), by the device's
 * input profile. `auto` (no profile set) takes samples within ±50 mV as mV and integer counts in
 * 0 … 4095 as the cardiac-monitor ESP32's 12-bit ADC (AD8232_ESP32_12BIT); anything else is
 * refused naming the first sample that fits neither. A packet that fits one of the two only
 * (`locksTo`) locks the device to it: the ingest stores it as the device's profile, so its later
 * packets are never read in the other unit. `unknown` units keep only the shape: the
 * window is centred on its median and scaled so that its 1st-99th percentile range is 2
 * (nominal mV), so detection works on timing, and no amplitude means anything.
 */
function samplesToMv(
  raw: readonly number[],
  profile: EcgInputProfile,
  field: (name: string) => string,
): {
  samples: Float64Array;
  input: string;
  unitsKnown: boolean;
  railsMv: [number, number] | null;
  locksTo: EcgInputProfile | null;
} {
  const out = new Float64Array(raw.length);
  const fromCounts = (pr: EcgInputProfile, input: string) => {
    const bits = pr.adc_bits ?? 12;
    const zero = pr.zero_counts ?? 2 ** (bits - 1);
    const gain = pr.counts_per_mv ?? 1;
    const bad = within(raw, 0, 2 ** bits - 1, true);
    if (bad >= 0)
      throw validationFailed(
        field(`ecg_samples[${bad}]`),
        `${field(`ecg_samples[${bad}]`)} must be an integer ADC count in 0 … ${String(2 ** bits - 1)} (the device's ${input} input profile${pr.inferred_at === undefined ? '' : `, locked by its first packet that fitted 12-bit counts only, at ${pr.inferred_at}`})`,
      );
    for (let i = 0; i < raw.length; i++) {
      out[i] = ((raw[i] ?? 0) - zero) / gain;
      // A custom profile's gain or zero can put a count anywhere (counts_per_mv 1e-300 made
      // 4e303 mV, 5e-324 made Infinity, which left the stored window unreadable: a 500).
      if (!(Math.abs(out[i] ?? NaN) <= MAX_ECG_MV))
        throw validationFailed(
          field(`ecg_samples[${i}]`),
          `${field(`ecg_samples[${i}]`)} is ${String(out[i])} mV through the device's ${input} input profile, beyond ±${String(MAX_ECG_MV)} mV (check its counts_per_mv and zero_counts)`,
        );
    }
    const railsMv: [number, number] = [(0 - zero) / gain, (2 ** bits - 1 - zero) / gain];
    return { samples: out, input, unitsKnown: true, railsMv, locksTo: null };
  };
  if (profile.units === 'adc_counts') return fromCounts(profile, profile.preset);
  if (profile.units === 'unknown') {
    // Divided by the peak first: samples near the double range (±1e308) made the percentile
    // range Infinity (every sample stored as 0), and subnormal ones (5e-324) made the scale
    // Infinity (NaN samples: the stored window could not be read back, a 500).
    let peak = 0;
    for (const v of raw) peak = Math.max(peak, Math.abs(v));
    const unit = peak > 0 ? peak : 1;
    const sorted = Float64Array.from(raw, (v) => v / unit).sort();
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    const median = at(0.5);
    const range = at(0.99) - at(0.01);
    // |sample − median| ≤ 2 after the division, so a scale with 2 × scale finite keeps every
    // sample finite.
    const scale = range > 0 && Number.isFinite(4 / range) ? 2 / range : 1;
    for (let i = 0; i < raw.length; i++) out[i] = ((raw[i] ?? 0) / unit - median) * scale;
    return { samples: out, input: 'unknown', unitsKnown: false, railsMv: null, locksTo: null };
  }
  const bad = within(raw, -MAX_ECG_MV, MAX_ECG_MV, false);
  const auto = profile.preset === 'auto';
  if (bad < 0) {
    for (let i = 0; i < raw.length; i++) out[i] = raw[i] ?? 0;
    // Integers 0 … 50 fit the counts too (a window at the ADC's bottom rail): read as mV, as
    // before any lock, but they lock nothing.
    const onlyMv = auto && within(raw, 0, 4095, true) >= 0;
    return {
      samples: out,
      input: 'mv',
      unitsKnown: true,
      railsMv: null,
      locksTo: onlyMv ? MV_PROFILE : null,
    };
  }
  let culprit = bad;
  if (auto) {
    if (within(raw, 0, 4095, true) < 0)
      return {
        ...fromCounts(AD8232_ESP32_12BIT, AD8232_ESP32_12BIT.preset),
        locksTo: AD8232_ESP32_12BIT,
      };
    // Name the first sample that is neither mV nor a 12-bit count, if there is one.
    const neither = raw.findIndex(
      (v) => Math.abs(v) > MAX_ECG_MV && !(Number.isInteger(v) && v >= 0 && v <= 4095),
    );
    if (neither >= 0) culprit = neither;
  }
  throw validationFailed(
    field(`ecg_samples[${culprit}]`),
    auto
      ? `${field(`ecg_samples[${culprit}]`)} must be within ±${String(MAX_ECG_MV)} mV, or all samples 12-bit ADC counts (or set the device's ecg_input profile)`
      : `${field(`ecg_samples[${culprit}]`)} must be within ±${String(MAX_ECG_MV)} mV (the device's mv input profile${profile.inferred_at === undefined ? '' : `, locked by its first packet that fitted mV only, at ${profile.inferred_at}`}; an admin or doctor sets another with PUT /api/v1/devices/{id} ecg_input)`,
  );
}
