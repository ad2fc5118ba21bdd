import path from 'node:path';
import { randomPassword } from '../adapters/random.js';
import { readTextFile, writePrivateFile } from '../adapters/secrets.js';
import type { Config } from '../config/env.js';
import type { DevicesService } from '../services/devices.service.js';
import type { AuthService } from '../services/auth.service.js';
import type { Ecg12Service } from '../services/ecg12.service.js';
import type { UsersService } from '../services/users.service.js';
import { DEMO_CLINIC, seedDemoClinic, withEcg12Stream, type SeededClinic } from './demo-clinic.js';
import { DEMO_ECG12_PATIENT, readDemoEcg12Stream, seedDemoEcg12 } from './demo-ecg12.js';
import { startDemoFleet, type DemoFleet } from './demo-fleet.js';

const CREDENTIALS_FILE = 'demo-credentials.json';

export interface StartDemoOptions {
  config: Pick<Config, 'dataDir' | 'demo' | 'isProduction'>;
  services: {
    users: UsersService;
    devices: DevicesService;
    ecg12: Ecg12Service;
    auth: Pick<AuthService, 'passwordMatches'>;
  };
  /** URL the server listens on, as seen from this process (e.g. http://127.0.0.1:8000). */
  baseUrl: string;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface Demo {
  clinic: SeededClinic;
  fleet: DemoFleet;
  /** Lines for the start-up banner: who to sign in as. */
  banner: string[];
  close(): Promise<void>;
}

/**
 * Doctor passwords are generated once and kept in the data folder (mode 0600, like the
 * development admin's), so every start prints the same credentials and nothing weak is built in.
 */
function demoPasswords(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const saved = readTextFile(file);
  const passwords = saved === undefined ? {} : (JSON.parse(saved) as Record<string, string>);
  let changed = false;
  for (const d of DEMO_CLINIC) {
    if (passwords[d.email] === undefined) {
      passwords[d.email] = randomPassword();
      changed = true;
    }
  }
  if (changed) writePrivateFile(file, JSON.stringify(passwords, null, 2));
  return passwords;
}

/** Seeds the demo clinic (idempotently) and starts its simulated devices against `baseUrl`. */
export async function startDemo(options: StartDemoOptions): Promise<Demo> {
  if (options.config.isProduction) throw new Error('demo mode never runs in production');
  const clinic = await seedDemoClinic({
    users: options.services.users,
    devices: options.services.devices,
    passwords: demoPasswords(options.config.dataDir),
    passwordMatches: (email, password) => options.services.auth.passwordMatches(email, password),
    patientPassword: randomPassword(),
    clinic: withEcg12Stream(DEMO_CLINIC),
  });
  await seedDemoEcg12(options.services.ecg12, clinic);
  const fleet = startDemoFleet({
    baseUrl: options.baseUrl,
    devices: clinic.devices,
    ecg12Records: readDemoEcg12Stream(),
    log: options.log,
  });
  const banner = [
    `  Demo clinic: ${clinic.devices.length} simulated devices posting to ${options.baseUrl}/api/v1/vitals and /api/v1/readings`,
    ...clinic.doctors.map(
      (d) =>
        `  Doctor:      ${d.email} / ${d.password ?? '(their own password: changed since the demo set it)'}   (${d.patients.map((p) => p.name).join(', ')})`,
    ),
    `  12-lead ECG: a stored classification on ${DEMO_ECG12_PATIENT}'s page (/ecg12 to upload more)`,
    '  12-lead stream: Farid Haddad (DEMO-ECG12-006, CinC 2021 records; MI criteria raise a 12-lead MI alert)',
    `  Scenarios:   ${clinic.devices.map((d) => `${d.deviceId} ${d.scenario}`).join(', ')}`,
    '  Start without the demo: npm start -- --no-demo (or VIGIL_DEMO=false)',
  ];
  options.log.info({ devices: clinic.devices.length }, 'demo clinic started');
  return { clinic, fleet, banner, close: () => fleet.close() };
}
