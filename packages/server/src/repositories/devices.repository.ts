import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { DB, DevicesTable } from '../db/schema.js';
import { deviceVisibleTo, type Viewer } from './access.repository.js';

export type DeviceRow = Selectable<DevicesTable>;
export type DevicePatch = Omit<Updateable<DevicesTable>, 'id' | 'device_id' | 'created_at'>;

export class DevicesRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts the device; false when its device_id is already registered. */
  async insert(row: Insertable<DevicesTable>): Promise<boolean> {
    try {
      await this.db.insertInto('devices').values(row).execute();
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

  async findByKeyHash(keyHash: string): Promise<DeviceRow | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('api_key_hash', '=', keyHash)
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

  async listVisible(viewer: Viewer, page: { limit: number; offset: number }): Promise<DeviceRow[]> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where(deviceVisibleTo(viewer))
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  async update(id: string, patch: DevicePatch): Promise<void> {
    await this.db.updateTable('devices').set(patch).where('id', '=', id).execute();
  }

  async touchLastSeen(id: string, now: number): Promise<void> {
    await this.db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('devices').where('id', '=', id).execute();
  }
}
