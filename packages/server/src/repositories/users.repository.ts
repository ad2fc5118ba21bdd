import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { DB, Role, UsersTable } from '../db/schema.js';
import { userVisibleTo, type Viewer } from './access.repository.js';

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserPatch = Omit<Updateable<UsersTable>, 'id' | 'created_at'>;

export class UsersRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts the user; false when the email is already taken. */
  async insert(row: NewUserRow): Promise<boolean> {
    try {
      await this.db.insertInto('users').values(row).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async findById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  /** The user if the viewer may see them, else undefined (the caller answers 404). */
  async findVisible(viewer: Viewer, id: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .where(userVisibleTo(viewer))
      .executeTakeFirst();
  }

  /** Users of one role visible to the viewer, oldest first. */
  /** The users `viewer` may see, oldest account first; of one role when `role` is given. */
  async listVisibleByRole(
    viewer: Viewer,
    role: Role | undefined,
    page: { limit: number; offset: number },
  ): Promise<UserRow[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .$if(role !== undefined, (q) => q.where('role', '=', role as Role))
      .where(userVisibleTo(viewer))
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  async countByRole(role: Role): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('role', '=', role)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Applies the patch; false when the new email is taken. */
  async update(id: string, patch: UserPatch): Promise<boolean> {
    try {
      await this.db.updateTable('users').set(patch).where('id', '=', id).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
