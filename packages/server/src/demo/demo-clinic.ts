import type { DeviceWithKey } from '../services/devices.service.js';
import type { DevicesService } from '../services/devices.service.js';
import type { AuthUser, UserView } from '../services/user-view.js';
import type { UsersService } from '../services/users.service.js';

/** Scenario names of @vigil/sim, kept as strings so this module does not load the simulator. */
export type DemoScenario = 'normal' | 'tachycardia' | 'af' | 'desaturation' | 'fever' | 'baby-cry';

export interface DemoPatientSpec {
  email: string;
  name: string;
  deviceId: string;
  deviceName: string;
  scenario: DemoScenario;
  /**
   * The device is a cardiac-monitor ESP32 (seed 000): it posts the firmware's own payload, a 10 s
   * window of 12-bit ADC counts (@vigil/sim createFirmwareSource), and is registered with the
   * ad8232-esp32-12bit input profile.
   */
  firmware?: boolean;
  /**
   * The device is a 12-lead streaming sensor (seed 004): it posts 1 s packets of lead1 … lead12
   * replaying a NORM- then an MI-labelled PTB-XL record (@vigil/sim createEcg12Source,
   * demo-ecg12.ts).
   */
  ecg12?: boolean;
}

export interface DemoDoctorSpec {
  email: string;
  name: string;
  patients: DemoPatientSpec[];
}

/**
 * The demo clinic: a doctor with three patients whose devices show a normal rhythm, a sinus
 * tachycardia (HR alerts within seconds) and atrial fibrillation, and a second doctor with a
 * febrile patient, a baby whose nursery monitor (seed 002) records a cry with fever 45 s after
 * the start, and one wearing the cardiac-monitor ESP32 of seed 000 (its firmware's 10 s windows of
 * ADC counts), so that scoping is visible (each doctor sees only their own patients).
 */
export const DEMO_CLINIC: readonly DemoDoctorSpec[] = [
  {
    email: 'doctor@vigil.local',
    name: 'Dr. Grace Hopper',
    patients: [
      {
        email: 'ada@vigil.local',
        name: 'Ada Lovelace',
        deviceId: 'DEMO-ECG-001',
        deviceName: 'Chest strap (demo)',
        scenario: 'normal',
      },
      {
        email: 'ben@vigil.local',
        name: 'Ben Carter',
        deviceId: 'DEMO-ECG-002',
        deviceName: 'Chest strap (demo)',
        scenario: 'tachycardia',
      },
      {
        email: 'chloe@vigil.local',
        name: 'Chloe Diaz',
        deviceId: 'DEMO-ECG-003',
        deviceName: 'Chest strap (demo)',
        scenario: 'af',
      },
    ],
  },
  {
    email: 'doctor2@vigil.local',
    name: 'Dr. Alan Turing',
    patients: [
      {
        email: 'dan@vigil.local',
        name: 'Dan Evans',
        deviceId: 'DEMO-ECG-004',
        deviceName: 'Chest strap (demo)',
        scenario: 'fever',
      },
      {
        email: 'mia@vigil.local',
        name: 'Mia Evans',
        deviceId: 'DEMO-BABY-001',
        deviceName: 'Nursery monitor (demo)',
        scenario: 'baby-cry',
      },
      {
        email: 'eve@vigil.local',
        name: 'Eve Moreno',
        deviceId: 'DEMO-CM-005',
        deviceName: 'cardiac-monitor ESP32 + AD8232 (demo, firmware payload)',
        scenario: 'normal',
        firmware: true,
      },
    ],
  },
];

/**
 * The demo's 12-lead streaming patient (seed 004), a patient of the first doctor: their sensor
 * replays CinC 2021 records, one with MI criteria (a 12-lead MI alert). Added by `startDemo`
 * (`withEcg12Stream`), not to DEMO_CLINIC, whose shape the dashboard's browser tests rely on.
 */
export const DEMO_ECG12_STREAM_PATIENT: DemoPatientSpec = {
  email: 'farid@vigil.local',
  name: 'Farid Haddad',
  deviceId: 'DEMO-ECG12-006',
  deviceName: '12-lead streaming sensor (demo, seed 004)',
  scenario: 'normal',
  ecg12: true,
};

/** The clinic with the 12-lead streaming patient added to its first doctor. */
export function withEcg12Stream(clinic: readonly DemoDoctorSpec[]): DemoDoctorSpec[] {
  return clinic.map((d, i) =>
    i === 0 ? { ...d, patients: [...d.patients, DEMO_ECG12_STREAM_PATIENT] } : d,
  );
}

export interface SeededDevice {
  deviceId: string;
  apiKey: string;
  scenario: DemoScenario;
  patientId: string;
  /** Posts the cardiac-monitor firmware's payload (see DemoPatientSpec.firmware). */
  firmware: boolean;
  /** Streams 12 leads (see DemoPatientSpec.ecg12). */
  ecg12: boolean;
}

export interface SeededDoctor {
  id: string;
  email: string;
  name: string;
  /** The demo password, or undefined when the account's own password has replaced it. */
  password: string | undefined;
  patients: { id: string; name: string; email: string }[];
}

export interface SeededClinic {
  doctors: SeededDoctor[];
  devices: SeededDevice[];
}

export interface SeedDemoOptions {
  users: UsersService;
  devices: DevicesService;
  /**
   * Password of each doctor by email, given to a doctor the seeder creates. A doctor who already
   * exists keeps their password (and so their sessions): a restart must not sign anyone out.
   */
  passwords: Record<string, string>;
  /**
   * Whether an existing account's password is still the demo's (AuthService.passwordMatches), so
   * that only a password that works is reported. Without it the demo's password is assumed.
   */
  passwordMatches?: (email: string, password: string) => Promise<boolean>;
  /** Password for new patient accounts (they do not sign in during the demo). */
  patientPassword: string;
  clinic?: readonly DemoDoctorSpec[];
}

/**
 * The seeder acts as an admin through the services, so the demo goes through the same rules as a
 * real clinic. Admin listings and doctor creation do not depend on who the admin is.
 */
const SEEDER: AuthUser = { id: 'demo-seeder', role: 'admin', email: 'demo-seeder@vigil.local' };
const PAGE = { limit: 500, offset: 0 };

function asDoctor(user: UserView): AuthUser {
  return { id: user.id, role: 'doctor', email: user.email };
}

/**
 * Creates what is missing of the demo clinic through the services (idempotent: a restart creates
 * nothing twice and leaves existing accounts as they are). Device keys are stored hashed, so an
 * existing demo device gets a fresh key (rotation) that the simulated device then uses.
 */
export async function seedDemoClinic(options: SeedDemoOptions): Promise<SeededClinic> {
  const clinic = options.clinic ?? DEMO_CLINIC;
  const doctors = await options.users.list(SEEDER, 'doctor', PAGE);
  const out: SeededClinic = { doctors: [], devices: [] };
  for (const spec of clinic) {
    const password = options.passwords[spec.email];
    if (password === undefined) throw new Error(`no demo password for ${spec.email}`);
    const found = doctors.find((d) => d.email === spec.email);
    const doctor =
      found ??
      (await options.users.create(SEEDER, {
        email: spec.email,
        name: spec.name,
        password,
        role: 'doctor',
      }));
    const passwordWorks =
      found === undefined ||
      options.passwordMatches === undefined ||
      (await options.passwordMatches(doctor.email, password));
    const actor = asDoctor(doctor);
    const patients = await options.users.list(actor, 'patient', PAGE);
    const devices = await options.devices.list(actor, { ...PAGE, include_retired: true });
    const seeded: SeededDoctor = {
      id: doctor.id,
      email: doctor.email,
      name: doctor.name,
      password: passwordWorks ? password : undefined,
      patients: [],
    };
    for (const p of spec.patients) {
      const patient =
        patients.find((u) => u.email === p.email) ??
        (await options.users.create(actor, {
          email: p.email,
          name: p.name,
          password: options.patientPassword,
          role: 'patient',
        }));
      seeded.patients.push({ id: patient.id, name: patient.name, email: patient.email });
      const existing = devices.find((d) => d.device_id === p.deviceId);
      // Someone retired this demo device: its id cannot come back, and the demo respects that
      // (the patient keeps its readings and is simulated by no device).
      if (existing?.retired_at != null) continue;
      let device: DeviceWithKey;
      if (existing) {
        if (existing.patient_id !== patient.id)
          await options.devices.update(actor, existing.id, { patient_id: patient.id });
        device = await options.devices.rotateKey(actor, existing.id);
      } else {
        device = await options.devices.register(actor, {
          device_id: p.deviceId,
          name: p.deviceName,
          patient_id: patient.id,
          ...(p.firmware === true ? { ecg_input: { preset: 'ad8232-esp32-12bit' as const } } : {}),
        });
      }
      out.devices.push({
        deviceId: device.device_id,
        apiKey: device.api_key,
        scenario: p.scenario,
        patientId: patient.id,
        firmware: p.firmware === true,
        ecg12: p.ecg12 === true,
      });
    }
    out.doctors.push(seeded);
  }
  return out;
}
