import type { Clock } from '../adapters/clock.js';
import { newId, randomSecret, secretsEqual, sha256 } from '../adapters/random.js';
import { DomainError, forbidden, notFound } from '../errors/catalogue.js';
import type {
  DeviceRow,
  DevicesRepository,
  DevicePatch,
} from '../repositories/devices.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import {
  DEVICE_KINDS,
  type DeviceKind,
  type EcgInputBody,
  type EcgInputProfile,
} from '@vigil/protocol';
import { inferredProfile, profileFromBody, storedProfile } from './ecg-input-profile.js';
import type { AuthUser } from './user-view.js';

export interface DeviceView {
  id: string;
  device_id: string;
  name: string | null;
  patient_id: string | null;
  owner_id: string | null;
  /** First characters of the current key, to recognise it; the key itself is never stored. */
  api_key_prefix: string;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
  /** How its ECG samples become mV (auto when none was set). */
  ecg_input: EcgInputProfile;
  /** `name` and `created_at` under the names the cardiac-monitor app reads. */
  label: string | null;
  registered_at: string;
  /** When it was retired (it keeps its readings, takes no data); null while in service. */
  retired_at: string | null;
  /** The kinds of signal it has sent, in the order it first sent them. */
  kinds: DeviceKind[];
}

export type DeviceWithKey = DeviceView & { api_key: string };

/** What an API key proves: one registered device, or the global seed-000 key (any registered device). */
export type DeviceAuth = { kind: 'device'; device: DeviceIdentity } | { kind: 'global' };

export interface DeviceIdentity {
  id: string;
  device_id: string;
  patient_id: string | null;
  owner_id: string | null;
  /** How its ECG samples become mV. */
  ecg_input: EcgInputProfile;
}

export interface DevicesServiceDeps {
  devices: DevicesRepository;
  users: UsersRepository;
  clock: Clock;
  /** The global API_KEY of seed 000, if configured. */
  globalApiKey: string | undefined;
  /**
   * Told of every device registered (after it is stored): instances sharing an MQTT broker
   * subscribe its topics. Must not throw.
   */
  onRegistered?: (deviceId: string) => void;
  /** How long a verified device key is trusted without a database look-up, ms (default 10 000; 0 disables). */
  keyCacheMs?: number;
}

/** Most verified keys remembered (a fleet larger than this just looks keys up more often). */
const KEY_CACHE_MAX = 10_000;
/** Most (device, kind) pairs remembered as recorded (beyond it, some are written again: a no-op). */
const KINDS_SENT_MAX = 100_000;

const KEY_PREFIX = 'vgl_';

const isDeviceKind = (k: string): k is DeviceKind =>
  (DEVICE_KINDS as readonly string[]).includes(k);

function toView(row: DeviceRow, kinds: readonly string[]): DeviceView {
  return {
    id: row.id,
    device_id: row.device_id,
    name: row.name,
    patient_id: row.patient_id,
    owner_id: row.owner_id,
    api_key_prefix: row.api_key_prefix,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    last_seen_at: row.last_seen_at === null ? null : new Date(row.last_seen_at).toISOString(),
    ecg_input: storedProfile(row.ecg_input),
    label: row.name,
    registered_at: new Date(row.created_at).toISOString(),
    retired_at: row.retired_at === null ? null : new Date(row.retired_at).toISOString(),
    kinds: kinds.filter(isDeviceKind),
  };
}

function identity(row: DeviceRow): DeviceIdentity {
  return {
    id: row.id,
    device_id: row.device_id,
    patient_id: row.patient_id,
    owner_id: row.owner_id,
    ecg_input: storedProfile(row.ecg_input),
  };
}

function newKey(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomSecret(32)}`;
  return { key, hash: sha256(key), prefix: key.slice(0, KEY_PREFIX.length + 6) };
}

/**
 * Devices and their keys. A patient registers devices for themself (a provisional claim on the
 * id, see `releaseUnusedPatientClaim`); a doctor for one of their patients (or unassigned, then
 * visible to that doctor only); an admin for anyone.
 */
export class DevicesService {
  /**
   * Verified device keys by their SHA-256: every vitals packet carries its key, and a look-up
   * per packet was a large share of ingest time. Any change to a device made through this
   * service clears it at once; a change made by another instance is seen within `keyCacheMs`.
   */
  private readonly keyCache = new Map<string, { device: DeviceIdentity; untilMs: number }>();

  /** Told when a device stops serving a patient (handed on, unassigned, retired). */
  private readonly releasedListeners: ((patientId: string, deviceId: string) => Promise<void>)[] =
    [];

  /**
   * (device_id, kind) pairs known to be in `device_kinds`: ingest tells every stored request's
   * kind, and only the first of each pair in this process writes.
   */
  private readonly kindsSent = new Set<string>();

  constructor(private readonly deps: DevicesServiceDeps) {}

  /** Records that the device sent a reading of `kind` (once per device and kind). */
  async sent(deviceId: string, kind: DeviceKind): Promise<void> {
    const key = `${kind}\u0000${deviceId}`;
    if (this.kindsSent.has(key)) return;
    await this.deps.devices.recordKind(deviceId, kind, this.deps.clock.now());
    if (this.kindsSent.size >= KINDS_SENT_MAX) this.kindsSent.clear();
    this.kindsSent.add(key);
  }

  /** Views of the rows, with the kinds each has sent (one query). */
  private async views(rows: readonly DeviceRow[]): Promise<DeviceView[]> {
    const kinds = await this.deps.devices.kindsOf(rows.map((r) => r.device_id));
    return rows.map((r) => toView(r, kinds.get(r.device_id) ?? []));
  }

  /**
   * Registers a listener told, once the change is stored, that a device no longer serves a
   * patient: handed to another patient, unassigned or retired (the alerts service clears that
   * patient's open alerts of the device, which nothing it sends can clear any more). The change's
   * answer waits for it; it must not throw.
   */
  onReleased(listener: (patientId: string, deviceId: string) => Promise<void>): void {
    this.releasedListeners.push(listener);
  }

  private async released(patientId: string | null, deviceId: string): Promise<void> {
    if (patientId === null) return;
    for (const listener of this.releasedListeners) await listener(patientId, deviceId);
  }

  async register(
    actor: AuthUser,
    input: {
      device_id: string;
      name?: string | undefined;
      patient_id?: string | null | undefined;
      ecg_input?: EcgInputBody | undefined;
    },
  ): Promise<DeviceWithKey> {
    const patientId = await this.resolvePatient(actor, input.patient_id ?? null);
    const now = this.deps.clock.now();
    const key = newKey();
    const row: DeviceRow = {
      id: newId(),
      device_id: input.device_id,
      name: input.name ?? null,
      patient_id: actor.role === 'patient' ? actor.id : patientId,
      owner_id: actor.id,
      api_key_hash: key.hash,
      api_key_prefix: key.prefix,
      created_at: now,
      updated_at: now,
      last_seen_at: null,
      ecg_input:
        input.ecg_input === undefined ? null : JSON.stringify(profileFromBody(input.ecg_input)),
      retired_at: null,
    };
    this.keyCache.clear();
    if (!(await this.deps.devices.insert(row))) {
      // A retired device's id stays with its readings (their foreign keys name it): registering
      // new hardware under it would file the new readings with the old ones.
      if ((await this.deps.devices.findByDeviceId(input.device_id))?.retired_at != null)
        throw new DomainError('DEVICE_ID_RETIRED', { field: 'device_id' });
      if (!(await this.releaseUnusedPatientClaim(actor, input.device_id)))
        throw new DomainError('DEVICE_ID_TAKEN', { field: 'device_id' });
      this.keyCache.clear();
      if (!(await this.deps.devices.insert(row)))
        throw new DomainError('DEVICE_ID_TAKEN', { field: 'device_id' });
    }
    this.deps.onRegistered?.(row.device_id);
    return { ...toView(row, []), api_key: key.key };
  }

  /**
   * Claim procedure (docs/api.md, "Device ids"): a device id that a patient registered for
   * themself is only a provisional claim until the device sends data. A clinician (doctor or
   * admin) registering the same id takes it over when that claim is not one of their own
   * patients' and has never been used: the patient's registration is removed and its key stops
   * working. So a patient who signs up cannot squat the id of a clinic's device, and the clinic
   * does not learn about it from a 409. A claim that has sent data, or a clinic's device, keeps
   * its id (409 DEVICE_ID_TAKEN).
   */
  private async releaseUnusedPatientClaim(actor: AuthUser, deviceId: string): Promise<boolean> {
    if (actor.role === 'patient') return false;
    if ((await this.deps.devices.findVisibleByDeviceId(actor, deviceId)) !== undefined)
      return false;
    return this.deps.devices.deleteUnusedSelfRegistered(deviceId);
  }

  /** Devices the actor may see: those in service, and the retired ones too with `include_retired`. */
  async list(
    actor: AuthUser,
    query: { limit: number; offset: number; include_retired?: boolean | undefined },
  ): Promise<DeviceView[]> {
    const rows = await this.deps.devices.listVisible(actor, {
      limit: query.limit,
      offset: query.offset,
      includeRetired: query.include_retired === true,
    });
    return this.views(rows);
  }

  async get(actor: AuthUser, id: string): Promise<DeviceView> {
    const [view] = await this.views([await this.findVisible(actor, id)]);
    if (view === undefined) throw notFound('DEVICE_NOT_FOUND');
    return view;
  }

  /** A device by its hardware device_id, if the user may see it (used by the vitals areas). */
  async getByDeviceId(actor: AuthUser, deviceId: string): Promise<DeviceIdentity> {
    const row = await this.deps.devices.findVisibleByDeviceId(actor, deviceId);
    if (row === undefined) throw notFound('DEVICE_NOT_FOUND', 'device_id');
    return identity(row);
  }

  async update(
    actor: AuthUser,
    id: string,
    input: {
      name?: string | null | undefined;
      patient_id?: string | null | undefined;
      ecg_input?: EcgInputBody | null | undefined;
    },
  ): Promise<DeviceView> {
    const device = await this.findInService(actor, id);
    const patch: DevicePatch = { updated_at: this.deps.clock.now() };
    if (input.name !== undefined) patch.name = input.name;
    // null goes back to auto; the key cache is cleared below, so uploads see it at once.
    if (input.ecg_input !== undefined)
      patch.ecg_input =
        input.ecg_input === null ? null : JSON.stringify(profileFromBody(input.ecg_input));
    if (input.patient_id !== undefined && input.patient_id !== device.patient_id) {
      if (actor.role === 'patient') throw forbidden('Patients cannot reassign devices');
      patch.patient_id = await this.resolvePatient(actor, input.patient_id);
      // An unassigned device stays visible to whoever unassigned it.
      if (patch.patient_id === null) patch.owner_id = actor.id;
    }
    this.keyCache.clear();
    await this.deps.devices.update(device.id, patch);
    this.keyCache.clear();
    if (patch.patient_id !== undefined) await this.released(device.patient_id, device.device_id);
    return this.get(actor, id);
  }

  async rotateKey(actor: AuthUser, id: string): Promise<DeviceWithKey> {
    const device = await this.findInService(actor, id);
    const key = newKey();
    this.keyCache.clear();
    await this.deps.devices.update(device.id, {
      api_key_hash: key.hash,
      api_key_prefix: key.prefix,
      updated_at: this.deps.clock.now(),
    });
    this.keyCache.clear();
    return { ...(await this.get(actor, id)), api_key: key.key };
  }

  /**
   * Retires the device (`DELETE /api/v1/devices/{id}`): its key stops working at once (other
   * instances within `keyCacheMs`), it leaves device lists, takes no data, patient or change, and
   * its device_id is never registered again; every reading it stored stays its patients' (history,
   * reports, FHIR, exports), and the device stays readable with `retired_at`. Its patient's open
   * alerts raised by it are cleared, as nothing it sends can clear them any more. Retiring a
   * retired device changes nothing (false).
   */
  async retire(actor: AuthUser, id: string): Promise<boolean> {
    const device = await this.findVisible(actor, id);
    if (device.retired_at !== null) return false;
    this.keyCache.clear();
    const retired = await this.deps.devices.retire(device.id, this.deps.clock.now());
    this.keyCache.clear();
    if (retired) await this.released(device.patient_id, device.device_id);
    return retired;
  }

  /**
   * Erases the device and everything it stored, for every patient it served (an erasure request,
   * GDPR art. 17): admins only, as an explicit action (`POST /api/v1/devices/{id}/purge`), never
   * as a side effect of removing a device. Reports already built keep their content.
   */
  async purge(actor: AuthUser, id: string): Promise<void> {
    if (actor.role !== 'admin')
      throw forbidden('Only an admin may purge a device and its readings');
    const device = await this.findVisible(actor, id);
    this.keyCache.clear();
    await this.deps.devices.purge(device.id);
    this.keyCache.clear();
    this.kindsSent.clear(); // its device_kinds rows went with it
    if (device.retired_at === null) await this.released(device.patient_id, device.device_id);
  }

  /** Forgets verified keys (a device's owner or patient changed outside this service). */
  forgetKeys(): void {
    this.keyCache.clear();
  }

  /** Resolves an X-API-Key: a device's own key first, then the global seed-000 key. */
  async authenticateKey(apiKey: string): Promise<DeviceAuth> {
    const hash = sha256(apiKey);
    const ttl = this.deps.keyCacheMs ?? 10_000;
    const now = this.deps.clock.now();
    const cached = this.keyCache.get(hash);
    if (cached !== undefined && cached.untilMs > now)
      return { kind: 'device', device: cached.device };
    const row = await this.deps.devices.findByKeyHash(hash);
    if (row !== undefined) {
      const device = identity(row);
      if (ttl > 0) {
        if (this.keyCache.size >= KEY_CACHE_MAX) this.keyCache.clear();
        this.keyCache.set(hash, { device, untilMs: now + ttl });
      }
      return { kind: 'device', device };
    }
    this.keyCache.delete(hash);
    if (this.deps.globalApiKey !== undefined && secretsEqual(apiKey, this.deps.globalApiKey))
      return { kind: 'global' };
    throw new DomainError('API_KEY_INVALID');
  }

  /**
   * The device an authenticated upload is for. A device key only speaks for its own device
   * (DEVICE_MISMATCH otherwise); the global key speaks for any registered device in service
   * (409 DEVICE_RETIRED for a retired one: a retired device's readings are closed).
   */
  async resolveUploader(auth: DeviceAuth, deviceId: string): Promise<DeviceIdentity> {
    if (auth.kind === 'device') {
      if (auth.device.device_id !== deviceId)
        throw new DomainError('DEVICE_MISMATCH', { field: 'device_id' });
      return auth.device;
    }
    const row = await this.deps.devices.findByDeviceId(deviceId);
    if (row === undefined) throw notFound('DEVICE_NOT_FOUND', 'device_id');
    if (row.retired_at !== null) throw new DomainError('DEVICE_RETIRED', { field: 'device_id' });
    return identity(row);
  }

  /**
   * The device with its ECG input profile as stored now, for an `auto` identity (a cached key,
   * an MQTT session or another instance may not have seen its lock yet); others as given. A
   * device that stays auto (its packets fit both units) costs one read per upload.
   */
  async withStoredEcgInput(device: DeviceIdentity): Promise<DeviceIdentity> {
    if (device.ecg_input.preset !== 'auto') return device;
    const stored = storedProfile(await this.deps.devices.ecgInputOf(device.id));
    if (stored.preset === 'auto') return device;
    this.cacheEcgInput(device.id, stored);
    return { ...device, ecg_input: stored };
  }

  /**
   * Locks an `auto` device to the unit of its first packet that fits one unit only (stored as
   * its profile, with `inferred_at`); the first lock stays, whoever wrote it. Returns the stored
   * profile. An admin or doctor replaces or clears it with `update` (ecg_input).
   */
  async lockEcgInput(device: DeviceIdentity, profile: EcgInputProfile): Promise<EcgInputProfile> {
    const locked = inferredProfile(profile, this.deps.clock.now());
    let stored = locked;
    if (!(await this.deps.devices.lockEcgInput(device.id, JSON.stringify(locked)))) {
      stored = storedProfile(await this.deps.devices.ecgInputOf(device.id));
      // Cleared again between the two statements: this request reads in its own unit.
      if (stored.preset === 'auto') return locked;
    }
    this.cacheEcgInput(device.id, stored);
    return stored;
  }

  /** Cached identities of the device take its stored profile (its key stays verified). */
  private cacheEcgInput(id: string, profile: EcgInputProfile): void {
    for (const entry of this.keyCache.values())
      if (entry.device.id === id) entry.device = { ...entry.device, ecg_input: profile };
  }

  async markSeen(deviceId: string): Promise<void> {
    await this.deps.devices.touchLastSeen(deviceId, this.deps.clock.now());
  }

  private async findVisible(actor: AuthUser, id: string): Promise<DeviceRow> {
    const row = await this.deps.devices.findVisible(actor, id);
    if (row === undefined) throw notFound('DEVICE_NOT_FOUND');
    return row;
  }

  /** A visible device that may still change (409 DEVICE_RETIRED once retired). */
  private async findInService(actor: AuthUser, id: string): Promise<DeviceRow> {
    const row = await this.findVisible(actor, id);
    if (row.retired_at !== null) throw new DomainError('DEVICE_RETIRED');
    return row;
  }

  /** A patient id the actor may attach a device to, or null; 404 when not visible to them. */
  private async resolvePatient(actor: AuthUser, patientId: string | null): Promise<string | null> {
    if (patientId === null) return null;
    if (actor.role === 'patient') {
      if (patientId !== actor.id) throw notFound('PATIENT_NOT_FOUND', 'patient_id');
      return patientId;
    }
    const patient = await this.deps.users.findVisible(actor, patientId);
    if (patient?.role !== 'patient') throw notFound('PATIENT_NOT_FOUND', 'patient_id');
    return patient.id;
  }
}
