import type { Ecg12Classification } from '@vigil/protocol';
import type { DeviceRow } from '../../repositories/devices.repository.js';
import { decodeEcgCounts } from '../../repositories/ecg-codec.js';
import type {
  FhirBabyTempRow,
  FhirCameraHrRow,
  FhirEcg12Row,
  FhirEcgHrRow,
  FhirHrvRow,
  FhirOximetryRow,
  FhirVitalsRow,
} from '../../repositories/fhir.repository.js';
import { readJsonOrNull } from '../../repositories/json-column.js';
import type { UserRow } from '../../repositories/users.repository.js';
import type { HealthProfile } from '../user-view.js';

/**
 * Vigil's data as FHIR R4 resources (http://hl7.org/fhir/R4/). Plain JSON objects built field by
 * field from the rows, so nothing a row holds (a password hash, an API key hash) can reach a
 * resource unless it is named here. Every resource type is validated against the R4 structure
 * definitions in test/fhir/fhir-validation.test.ts.
 */
export interface FhirResource {
  resourceType: string;
  id?: string;
  [key: string]: unknown;
}

export const LOINC = 'http://loinc.org';
/** ISO/IEEE 11073-10101 nomenclature (MDC), its FHIR system URI. */
export const MDC = 'urn:iso:std:iso:11073:10101';
const UCUM = 'http://unitsofmeasure.org';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** The hardware id a device reports (seed 000 `device_id`). */
export const DEVICE_ID_SYSTEM = 'urn:vigil:device-id';

const iso = (ms: number): string => new Date(ms).toISOString();
const round = (v: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
};
/**
 * A stored reading as the device sent it: 7 significant digits, what a 4-byte real (PostgreSQL's
 * column type) holds, so a value that went through one (36.599998) reads 36.6, while 62.25 bpm
 * stays 62.25 (a fixed 1 decimal made it 62.3, not what REST and the device said).
 */
const asStored = (v: number): number => Number(v.toPrecision(7));

function meta(lastUpdatedMs: number, profile?: string): Record<string, unknown> {
  return profile === undefined
    ? { lastUpdated: iso(lastUpdatedMs) }
    : { lastUpdated: iso(lastUpdatedMs), profile: [profile] };
}

export function toPatient(row: UserRow): FhirResource {
  const profile =
    row.health_profile === null ? null : (JSON.parse(row.health_profile) as HealthProfile);
  const resource: FhirResource = {
    resourceType: 'Patient',
    id: row.id,
    meta: meta(row.updated_at),
    active: true,
    name: [{ text: row.name }],
    telecom: [{ system: 'email', value: row.email }],
  };
  // Administrative gender (http://hl7.org/fhir/R4/valueset-administrative-gender.html).
  if (profile?.sex !== undefined) resource.gender = profile.sex;
  if (row.doctor_id !== null)
    resource.generalPractitioner = [{ reference: `Practitioner/${row.doctor_id}` }];
  return resource;
}

export function toPractitioner(row: UserRow): FhirResource {
  return {
    resourceType: 'Practitioner',
    id: row.id,
    meta: meta(row.updated_at),
    active: true,
    name: [{ text: row.name }],
    telecom: [{ system: 'email', value: row.email }],
  };
}

export function toDevice(row: DeviceRow): FhirResource {
  const resource: FhirResource = {
    resourceType: 'Device',
    id: row.id,
    meta: meta(row.updated_at),
    identifier: [{ system: DEVICE_ID_SYSTEM, value: row.device_id }],
    // A retired device stays, so the Observations it made still resolve their `device`.
    status: row.retired_at === null ? 'active' : 'inactive',
  };
  if (row.name !== null) resource.deviceName = [{ name: row.name, type: 'user-friendly-name' }];
  if (row.patient_id !== null) resource.patient = { reference: `Patient/${row.patient_id}` };
  return resource;
}

/**
 * What an Observation measures. `kind` is the first part of the Observation's id
 * (`<kind>-<row id>`), so a read knows which table holds it.
 */
export const OBSERVATION_KINDS = {
  /** A packet's heart rate. */
  hr: { codes: ['8867-4'] },
  /** A packet's SpO2 (pulse oximetry, 59408-5, with the vital-signs profile's 2708-6). */
  spo2: { codes: ['2708-6', '59408-5'] },
  temp: { codes: ['8310-5'] },
  resp: { codes: ['9279-1'] },
  /** A packet's single-lead ECG strip. */
  ecg: { codes: ['131328'] },
  /** A pulse oximeter's SpO2 and pulse rate. */
  oxspo2: { codes: ['2708-6', '59408-5'] },
  oxhr: { codes: ['8867-4'] },
  /** SDNN of a packet's analysis window. */
  hrv: { codes: ['80404-7'] },
  /** The heart rate Vigil measured from the ECG of a packet that sent none. */
  ecghr: { codes: ['8867-4'] },
  /** A heart rate measured by the camera (rPPG). */
  camhr: { codes: ['8867-4'] },
  /** The 12 leads of a 12-lead ECG classified for a patient. */
  ecg12: { codes: ['11524-6', '131328'] },
  /** A baby monitor reading's temperature (seed 002). */
  babytemp: { codes: ['8310-5'] },
} as const;
export type ObservationKind = keyof typeof OBSERVATION_KINDS;

/** code → its system, for `code=system|code` searches. */
export const CODE_SYSTEMS: Record<string, string> = {
  '8867-4': LOINC,
  '2708-6': LOINC,
  '59408-5': LOINC,
  '8310-5': LOINC,
  '9279-1': LOINC,
  '80404-7': LOINC,
  '11524-6': LOINC,
  '131328': MDC,
};

type Coding = { system: string; code: string; display: string };
const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
const mdc = (code: string, display: string): Coding => ({ system: MDC, code, display });

const VITAL_SIGNS = [
  {
    coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }],
    text: 'Vital Signs',
  },
];
const PROCEDURE = [
  {
    coding: [{ system: OBSERVATION_CATEGORY, code: 'procedure', display: 'Procedure' }],
    text: 'Procedure',
  },
];

/**
 * The vital signs Vigil stores, with the codes, units and profiles of the FHIR R4 vital signs
 * profiles (http://hl7.org/fhir/R4/observation-vitalsigns.html): LOINC code, UCUM unit.
 * SpO2 carries the pulse-oximetry code 59408-5 beside the profile's 2708-6, as the R4
 * oxygen saturation example does.
 */
const VITAL = {
  hr: {
    profile: 'http://hl7.org/fhir/StructureDefinition/heartrate',
    code: [loinc('8867-4', 'Heart rate')],
    text: 'Heart rate',
    unit: 'beats/minute',
    ucum: '/min',
  },
  spo2: {
    profile: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
    code: [
      loinc('2708-6', 'Oxygen saturation in Arterial blood'),
      loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'),
    ],
    text: 'Oxygen saturation',
    unit: '%',
    ucum: '%',
  },
  temp: {
    profile: 'http://hl7.org/fhir/StructureDefinition/bodytemp',
    code: [loinc('8310-5', 'Body temperature')],
    text: 'Body temperature',
    unit: 'C',
    ucum: 'Cel',
  },
  resp: {
    profile: 'http://hl7.org/fhir/StructureDefinition/resprate',
    code: [loinc('9279-1', 'Respiratory rate')],
    text: 'Respiratory rate',
    unit: 'breaths/minute',
    ucum: '/min',
  },
} as const;

interface ObservationContext {
  id: string;
  patientId: string;
  ts: number;
  lastUpdated: number;
  /** `Device/<id>` of the device that measured, when there is one. */
  deviceRef: string | undefined;
}

function vitalSign(sign: keyof typeof VITAL, value: number, c: ObservationContext): FhirResource {
  const v = VITAL[sign];
  const resource: FhirResource = {
    resourceType: 'Observation',
    id: c.id,
    meta: meta(c.lastUpdated, v.profile),
    status: 'final',
    category: VITAL_SIGNS,
    code: { coding: v.code, text: v.text },
    subject: { reference: `Patient/${c.patientId}` },
    effectiveDateTime: iso(c.ts),
    valueQuantity: { value: asStored(value), unit: v.unit, system: UCUM, code: v.ucum },
  };
  if (c.deviceRef !== undefined) resource.device = { reference: c.deviceRef };
  return resource;
}

/**
 * SampledData of int16 counts (http://hl7.org/fhir/R4/datatypes.html#SampledData): value =
 * origin + factor × count, so the stored counts go out as they are, with the scale as factor.
 */
function sampledData(counts: Int16Array, scaleMv: number, rateHz: number): Record<string, unknown> {
  return {
    origin: { value: 0, unit: 'mV', system: UCUM, code: 'mV' },
    period: round(1000 / rateHz, 6),
    factor: scaleMv,
    dimensions: 1,
    data: counts.join(' '),
  };
}

/**
 * A packet's single-lead strip. The lead depends on where the wearer placed the electrodes and
 * no device reports it, so it is coded as MDC_ECG_ELEC_POTL (131328, ECG electric potential, lead
 * unspecified) of ISO/IEEE 11073-10101 rather than as a lead it may not be.
 */
function ecgStrip(row: FhirVitalsRow, c: ObservationContext): FhirResource | undefined {
  if (row.ecg_samples === null || row.ecg_scale_mv === null) return undefined;
  const counts = decodeEcgCounts(row.ecg_samples);
  const resource: FhirResource = {
    resourceType: 'Observation',
    id: c.id,
    meta: meta(c.lastUpdated),
    status: 'final',
    category: PROCEDURE,
    code: { coding: [mdc('131328', 'MDC_ECG_ELEC_POTL')], text: 'ECG strip' },
    subject: { reference: `Patient/${c.patientId}` },
    effectivePeriod: {
      start: iso(c.ts),
      end: iso(c.ts + Math.round((counts.length * 1000) / row.ecg_sample_rate_hz)),
    },
    valueSampledData: sampledData(counts, row.ecg_scale_mv, row.ecg_sample_rate_hz),
  };
  if (c.deviceRef !== undefined) resource.device = { reference: c.deviceRef };
  return resource;
}

/** The Observations of one packet, in component order (hr, spo2, temp, resp, ecg). */
export function vitalsObservations(
  row: FhirVitalsRow,
  patientId: string,
  deviceRef: string | undefined,
): { kind: ObservationKind; resource: FhirResource }[] {
  const ctx = (kind: ObservationKind): ObservationContext => ({
    id: `${kind}-${row.id}`,
    patientId,
    ts: row.ts,
    lastUpdated: row.received_at,
    deviceRef,
  });
  const out: { kind: ObservationKind; resource: FhirResource }[] = [];
  const values = [
    ['hr', row.heart_rate_bpm],
    ['spo2', row.spo2_percent],
    ['temp', row.temperature_c],
    ['resp', row.respiratory_rate],
  ] as const;
  for (const [kind, value] of values)
    if (value !== null) out.push({ kind, resource: vitalSign(kind, value, ctx(kind)) });
  const strip = ecgStrip(row, ctx('ecg'));
  if (strip !== undefined) out.push({ kind: 'ecg', resource: strip });
  return out;
}

export function oximetryObservations(
  row: FhirOximetryRow,
  patientId: string,
  deviceRef: string | undefined,
): { kind: ObservationKind; resource: FhirResource }[] {
  const ctx = (kind: ObservationKind): ObservationContext => ({
    id: `${kind}-${row.id}`,
    patientId,
    ts: row.ts,
    lastUpdated: row.received_at,
    deviceRef,
  });
  return [
    { kind: 'oxspo2', resource: vitalSign('spo2', row.spo2_percent, ctx('oxspo2')) },
    { kind: 'oxhr', resource: vitalSign('hr', row.pulse_rate_bpm, ctx('oxhr')) },
  ];
}

/**
 * SDNN of the analysis window as LOINC 80404-7 "R-R interval.standard deviation (Heart rate
 * variability)", in ms. RMSSD and pNN50 have no LOINC code of their own and are not emitted.
 */
export function hrvObservation(
  row: FhirHrvRow,
  patientId: string,
  deviceRef: string | undefined,
): FhirResource | undefined {
  const hrv = readJsonOrNull(row.hrv) as { sdnn_ms?: unknown } | null;
  if (hrv === null || typeof hrv.sdnn_ms !== 'number') return undefined;
  const resource: FhirResource = {
    resourceType: 'Observation',
    id: `hrv-${row.id}`,
    meta: meta(row.created_at),
    status: 'final',
    category: PROCEDURE,
    code: {
      coding: [loinc('80404-7', 'R-R interval.standard deviation (Heart rate variability)')],
      text: 'HRV SDNN',
    },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: iso(row.ts),
    valueQuantity: { value: round(hrv.sdnn_ms, 1), unit: 'ms', system: UCUM, code: 'ms' },
  };
  if (deviceRef !== undefined) resource.device = { reference: deviceRef };
  return resource;
}

/**
 * The heart rate Vigil measured from a packet's ECG (the prediction's `heart_rate_bpm`, source
 * `ecg`: the mean rate of the beats over the 10 s ending 2 s before the packet's end) where the
 * packet sent none, as a vital-signs heart rate whose `method` says where it comes from.
 */
export function ecgHrObservation(
  row: FhirEcgHrRow,
  patientId: string,
  deviceRef: string | undefined,
): FhirResource {
  const resource = vitalSign('hr', row.heart_rate_bpm, {
    id: `ecghr-${row.id}`,
    patientId,
    ts: row.ts,
    lastUpdated: row.created_at,
    deviceRef,
  });
  resource.method = { text: 'ECG (R-R intervals, Vigil analysis)' };
  return resource;
}

export function cameraHrObservation(row: FhirCameraHrRow): FhirResource {
  const resource = vitalSign('hr', row.bpm, {
    id: `camhr-${row.id}`,
    patientId: row.patient_id,
    ts: row.ts,
    lastUpdated: row.ts,
    deviceRef: undefined,
  });
  resource.method = { text: 'Camera (remote photoplethysmography)' };
  return resource;
}

/**
 * A baby monitor reading's temperature (seed 002: the baby's temperature in °C, which Vigil's
 * fever and sick rules judge) as a vital-signs body temperature, `method` saying where it
 * comes from.
 */
export function babyTemperatureObservation(
  row: FhirBabyTempRow & { patient_id: string },
  deviceRef: string | undefined,
): FhirResource {
  const resource = vitalSign('temp', row.temperature_c, {
    id: `babytemp-${row.id}`,
    patientId: row.patient_id,
    ts: row.ts,
    lastUpdated: row.ts,
    deviceRef,
  });
  resource.method = { text: 'Baby monitor' };
  return resource;
}

/**
 * The 12 leads in Vigil's order (I II III aVR aVL aVF V1–V6) with their ISO/IEEE 11073-10101
 * MDC_ECG_ELEC_POTL_* codes: 131328 + the lead's MDC_ECG_LEAD_* term code (I 1, II 2, V1–V6
 * 3–8, III 61, aVR 62, aVL 63, aVF 64), as in the R4 example Observation "ekg".
 */
const ECG12_LEAD_CODES = [
  ['I', '131329'],
  ['II', '131330'],
  ['III', '131389'],
  ['AVR', '131390'],
  ['AVL', '131391'],
  ['AVF', '131392'],
  ['V1', '131331'],
  ['V2', '131332'],
  ['V3', '131333'],
  ['V4', '131334'],
  ['V5', '131335'],
  ['V6', '131336'],
] as const;

/** The 12-lead recording of a classification: one component of SampledData per lead. */
export function ecg12Observation(row: FhirEcg12Row): FhirResource | undefined {
  if (row.patient_id === null || row.signal === null || row.signal_scales_mv === null)
    return undefined;
  const scales = JSON.parse(row.signal_scales_mv) as number[];
  const counts = decodeEcgCounts(row.signal);
  const perLead = counts.length / scales.length;
  const rateHz = row.sampling_rate_hz ?? 500;
  return {
    resourceType: 'Observation',
    id: `ecg12-${row.id}`,
    meta: meta(row.created_at),
    status: 'final',
    category: PROCEDURE,
    code: {
      coding: [loinc('11524-6', 'EKG study'), mdc('131328', 'MDC_ECG_ELEC_POTL')],
      text: '12-lead ECG',
    },
    subject: { reference: `Patient/${row.patient_id}` },
    effectivePeriod: {
      start: iso(row.created_at),
      end: iso(row.created_at + Math.round((perLead * 1000) / rateHz)),
    },
    component: scales.map((scale, l) => {
      const [lead, code] = ECG12_LEAD_CODES[l] ?? ['?', '131328'];
      return {
        code: { coding: [mdc(code, `MDC_ECG_ELEC_POTL_${lead}`)], text: `Lead ${lead}` },
        valueSampledData: sampledData(
          counts.subarray(l * perLead, (l + 1) * perLead),
          scale,
          rateHz,
        ),
      };
    }),
  };
}

/**
 * A 12-lead interpretation as a DiagnosticReport (category EC, Electrocardiac, of HL7 v2 table
 * 0074): the classification and its findings as the conclusion, the recording as its result.
 */
export function ecg12Report(row: FhirEcg12Row): FhirResource | undefined {
  if (row.patient_id === null) return undefined;
  const result =
    row.result_json === null ? null : (JSON.parse(row.result_json) as Ecg12Classification);
  const statements = result?.findings.map((f) => f.text) ?? [];
  const conclusion = [row.class_description, ...statements].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  const resource: FhirResource = {
    resourceType: 'DiagnosticReport',
    id: row.id,
    meta: meta(row.created_at),
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v2-0074',
            code: 'EC',
            display: 'Electrocardiac',
          },
        ],
      },
    ],
    code: { coding: [loinc('11524-6', 'EKG study')], text: '12-lead ECG interpretation' },
    subject: { reference: `Patient/${row.patient_id}` },
    effectiveDateTime: iso(row.created_at),
    issued: iso(row.created_at),
  };
  if (row.signal !== null) resource.result = [{ reference: `Observation/ecg12-${row.id}` }];
  if (conclusion.length > 0) resource.conclusion = conclusion.join('; ');
  if (row.class_description !== null) resource.conclusionCode = [{ text: row.class_description }];
  return resource;
}
