import { randomBytes } from 'node:crypto';
import type { EcgInputBody } from '@vigil/protocol';
import type { TokenResponse } from '../../src/services/auth.service.js';
import type { DeviceWithKey } from '../../src/services/devices.service.js';
import type { AuthUser, UserView } from '../../src/services/user-view.js';
import type { TestApp } from './app.js';

export interface TestUser {
  user: UserView;
  /** As `request.user` would be. */
  actor: AuthUser;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  /** `{ authorization: 'Bearer …' }` for app.inject. */
  headers: { authorization: string };
}

export const TEST_PASSWORD = 'correct-horse-9';

function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
}

function asTestUser(tokens: TokenResponse, password: string): TestUser {
  return {
    user: tokens.user,
    actor: { id: tokens.user.id, role: tokens.user.role, email: tokens.user.email },
    email: tokens.user.email,
    password,
    token: tokens.access_token,
    refreshToken: tokens.refresh_token,
    headers: { authorization: `Bearer ${tokens.access_token}` },
  };
}

/** Signs in through the service (the HTTP login has its own tests). */
export async function signIn(
  t: TestApp,
  email: string,
  password = TEST_PASSWORD,
): Promise<TestUser> {
  return asTestUser(await t.container.services.auth.login(email, password), password);
}

export async function createAdmin(t: TestApp, name = 'Admin'): Promise<TestUser> {
  const email = uniqueEmail('admin');
  await t.container.services.auth.bootstrapAdmin(email, TEST_PASSWORD);
  const admin = await signIn(t, email);
  if (name !== 'Administrator')
    await t.container.services.auth.updateProfile(admin.actor, { name });
  return admin;
}

/** A doctor, created by `admin` (or by a fresh admin). */
export async function createDoctor(
  t: TestApp,
  admin?: TestUser,
  name = 'Dr Test',
): Promise<TestUser> {
  const by = admin ?? (await createAdmin(t));
  const email = uniqueEmail('doctor');
  await t.container.services.users.create(by.actor, {
    email,
    password: TEST_PASSWORD,
    name,
    role: 'doctor',
  });
  return signIn(t, email);
}

/** A patient owned by `doctor`, or a self-registered patient without a doctor. */
export async function createPatient(
  t: TestApp,
  doctor?: TestUser,
  name = 'Pat Test',
): Promise<TestUser> {
  const email = uniqueEmail('patient');
  if (doctor === undefined) {
    await t.container.services.auth.register({ email, password: TEST_PASSWORD, name });
  } else {
    await t.container.services.users.create(doctor.actor, { email, password: TEST_PASSWORD, name });
  }
  return signIn(t, email);
}

/** Registers a device as `by` (for `patientId`, default: `by` itself when a patient). */
export async function registerDevice(
  t: TestApp,
  by: TestUser,
  options: {
    deviceId?: string;
    patientId?: string | null;
    name?: string;
    ecgInput?: EcgInputBody;
  } = {},
): Promise<DeviceWithKey> {
  return t.container.services.devices.register(by.actor, {
    device_id: options.deviceId ?? `ESP32-${randomBytes(4).toString('hex')}`,
    name: options.name,
    patient_id: options.patientId,
    ecg_input: options.ecgInput,
  });
}

/** Signs in over HTTP with the JSON body; returns the parsed response. */
export async function login(t: TestApp, email: string, password = TEST_PASSWORD) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  return { status: response.statusCode, body: response.json<TokenResponse>() };
}

/** A clinic of one: an admin, a doctor, their patient and a device of that patient with its key. */
export async function createMonitoredPatient(
  t: TestApp,
  deviceId: string,
): Promise<{ doctor: TestUser; patient: TestUser; key: string }> {
  const admin = await createAdmin(t);
  const doctor = await createDoctor(t, admin);
  const patient = await createPatient(t, doctor);
  const { api_key: key } = await registerDevice(t, doctor, {
    patientId: patient.user.id,
    deviceId,
  });
  return { doctor, patient, key };
}
