import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { DB, DevicesTable } from '../db/schema.js';
import { deviceVisibleTo, type Viewer } from './access.repository.js';

export type DeviceRow = Selectable<DevicesTable>;
export type DevicePatch = Omit<Updateable<DevicesTable>, 'id' | 'device_id' | 'created_at'>;

/**
 * Records the device's current patient, if any, among the patients it has served
 * (`device_patients`, migration 022): a patient's rows are read through these devices, so a
 * device handed on to another patient keeps its earlier rows its earlier patient's.
 */
async function recordAssignment(db: Kysely<DB>, id: string): Promise<void> {
  await db
    .insertInto('device_patients')
    .columns(['patient_id', 'device_id', 'first_at'])
    .expression(
      db
        .selectFrom('devices')
        .select(['patient_id', 'device_id', 'updated_at'])
        .where('id', '=', id)
        .where('patient_id', 'is not', null),
    )
    .onConflict((oc) => oc.columns(['patient_id', 'device_id']).doNothing())
    .execute();
}

export class DevicesRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts the device; false when its device_id is already registered. */
  async insert(row: Insertable<DevicesTable>): Promise<boolean> {
    try {
      await this.atomically(async (db) => {
        await db.insertInto('devices').values(row).execute();
        await recordAssignment(db, row.id);
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async findById(id: string): Promise<DeviceRow | undefined> {
    return this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByDeviceId(deviceId: string): Promise<DeviceRow | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
  }

  /** The device in service whose key hashes to `keyHash` (a retired device's key proves nothing). */
  async findByKeyHash(keyHash: string): Promise<DeviceRow | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('api_key_hash', '=', keyHash)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
  }

  /** The device (by id) if visible to the viewer. */
  async findVisible(viewer: Viewer, id: string): Promise<DeviceRow | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', id)
      .where(deviceVisibleTo(viewer))
      .executeTakeFirst();
  }

  /** The device (by hardware device_id) if visible to the viewer. */
  async findVisibleByDeviceId(viewer: Viewer, deviceId: string): Promise<DeviceRow | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where(deviceVisibleTo(viewer))
      .executeTakeFirst();
  }

  /** Devices the viewer may see, in service only unless `includeRetired`. */
  async listVisible(
    viewer: Viewer,
    page: { limit: number; offset: number; includeRetired?: boolean },
  ): Promise<DeviceRow[]> {
    let q = this.db.selectFrom('devices').selectAll().where(deviceVisibleTo(viewer));
    if (page.includeRetired !== true) q = q.where('retired_at', 'is', null);
    return q.orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
  }

  async update(id: string, patch: DevicePatch): Promise<void> {
    if (patch.patient_id == null) {
      await this.db.updateTable('devices').set(patch).where('id', '=', id).execute();
      return;
    }
    await this.atomically(async (db) => {
      await db.updateTable('devices').set(patch).where('id', '=', id).execute();
      await recordAssignment(db, id);
    });
  }

  /** `work` in one transaction, or in the caller's when this repository was given one. */
  private atomically(work: (db: Kysely<DB>) => Promise<void>): Promise<void> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  /** The devices assigned to the patient now (what a deletion of the patient unassigns). */
  async deviceIdsOfPatient(patientId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('devices')
      .select('device_id')
      .where('patient_id', '=', patientId)
      .orderBy('device_id')
      .execute();
    return rows.map((r) => r.device_id);
  }

  /** Every device id in service (MQTT partition sessions subscribe their topics). */
  async allDeviceIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('devices')
      .select('device_id')
      .where('retired_at', 'is', null)
      .execute();
    return rows.map((r) => r.device_id);
  }

  /** Hardware ids of the devices heard (last_seen_at) at or after `sinceMs`. */
  async seenSince(sinceMs: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('devices')
      .select('device_id')
      .where('last_seen_at', '>=', sinceMs)
      .execute();
    return rows.map((r) => r.device_id);
  }

  /**
   * Sets the ECG input profile (JSON) of a device that has none (`auto`); false when it has one
   * by now (another request's or instance's lock, or a user's): the first lock stays.
   */
  async lockEcgInput(id: string, profileJson: string): Promise<boolean> {
    const r = await this.db
      .updateTable('devices')
      .set({ ecg_input: profileJson })
      .where('id', '=', id)
      .where('ecg_input', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** The stored ECG input profile of a device (JSON text, jsonb parsed, or null: auto). */
  async ecgInputOf(id: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('devices')
      .select('ecg_input')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.ecg_input ?? null;
  }

  async touchLastSeen(id: string, now: number): Promise<void> {
    await this.db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  /**
   * Devices in service assigned to a patient, with their activity times (the device-offline
   * sweep: a retired device is silent on purpose).
   */
  async listAssignedActivity(): Promise<
    { device_id: string; patient_id: string; last_seen_at: number | null; created_at: number }[]
  > {
    const rows = await this.db
      .selectFrom('devices')
      .select(['device_id', 'patient_id', 'last_seen_at', 'created_at'])
      .where('patient_id', 'is not', null)
      .where('retired_at', 'is', null)
      .execute();
    return rows.flatMap((r) => (r.patient_id === null ? [] : [{ ...r, patient_id: r.patient_id }]));
  }

  /**
   * Deletes the device `deviceId` if a patient registered it for themself (owner = patient), it
   * never sent data and is in service (a retired id is never freed); one statement, so a first
   * packet arriving meanwhile keeps it.
   */
  async deleteUnusedSelfRegistered(deviceId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('devices')
      .where('device_id', '=', deviceId)
      .where('retired_at', 'is', null)
      .where('last_seen_at', 'is', null)
      .where('patient_id', 'is not', null)
      .where((eb) => eb('owner_id', '=', eb.ref('patient_id')))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Records that the device sent `kind` (first time only; `device_kinds`, migration 024). */
  async recordKind(deviceId: string, kind: string, atMs: number): Promise<void> {
    await this.db
      .insertInto('device_kinds')
      .values({ device_id: deviceId, kind, first_at: atMs })
      .onConflict((oc) => oc.columns(['device_id', 'kind']).doNothing())
      .execute();
  }

  /** The kinds each of these devices has sent, in the order it first sent them. */
  async kindsOf(deviceIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (deviceIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('device_kinds')
      .select(['device_id', 'kind'])
      .where('device_id', 'in', deviceIds)
      .orderBy('first_at')
      .orderBy('kind')
      .execute();
    for (const r of rows) out.set(r.device_id, [...(out.get(r.device_id) ?? []), r.kind]);
    return out;
  }

  /**
   * Retires the device at `now` (it keeps its row and so its readings); false when it was
   * already retired. One statement, so two retirements racing record the first time.
   */
  async retire(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('devices')
      .set({ retired_at: now, updated_at: now })
      .where('id', '=', id)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Deletes the device row, and with it (ON DELETE CASCADE, migrations 002, 003, 007, 018, 022)
   * every packet, rollup, oximetry reading and assignment it stored, for every patient it served;
   * baby-monitor readings lose their device (008: set null). Only the admin's purge calls this.
   */
  async purge(id: string): Promise<void> {
    await this.db.deleteFrom('devices').where('id', '=', id).execute();
  }
}
