import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export class HealthRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Round-trips a trivial query; throws when the database is unreachable. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}
