import { sql, type Kysely } from 'kysely';

/**
 * Time partitioning of the packet tables on PostgreSQL (migration 018): `vitals`, `predictions`,
 * `ecg_lead_chunks` (by `ts`) and `vitals_minute` (by `minute`) are range-partitioned by UTC day,
 * epoch ms, into `<table>_pYYYYMMDD` for [day, day + 1), with `<table>_pdefault` catching rows
 * of days without a partition (a device clock far off, history older than the partitions). A
 * packet, its prediction, its lead chunk and its minute of rollup all fall in the same day, so
 * retention drops the day of every table together (retention.repository.ts). Each unique key
 * includes the partition key: `vitals (device_id, ts)`, the identity of a packet, stays unique
 * across the whole table, since one (device, ts) always falls in one partition.
 */
export const DAY_MS = 86_400_000;

/**
 * The partitioned tables with their partition key, in the order an ingest commit writes them
 * (vitals.repository.ts): partition changes lock them in the same order, so they wait for an
 * ingest commit and never deadlock with one.
 */
export const PARTITIONED_TABLES = [
  { table: 'vitals', key: 'ts' },
  { table: 'vitals_minute', key: 'minute' },
  { table: 'ecg_lead_chunks', key: 'ts' },
  { table: 'predictions', key: 'ts' },
] as const;

/** Whether a relation of that name exists in the current schema. */
async function exists(db: Kysely<unknown>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: string | null }>`
    select to_regclass(${name}) as found`.execute(db);
  return rows[0]?.found !== null && rows[0]?.found !== undefined;
}

/**
 * Locks the parents of the partitioned tables in ingest order, for a change of partitions. The
 * wait is bounded (2 s): a request queued behind this lock waits too, so behind a long reader
 * the change gives up (the caller's job retries it; partitions are made days ahead) rather than
 * stall ingest.
 */
async function lockParents(trx: Kysely<unknown>): Promise<void> {
  await sql`set local lock_timeout = '2s'`.execute(trx);
  const names = PARTITIONED_TABLES.map((t) => sql.table(t.table));
  await sql`lock table ${sql.join(names)} in access exclusive mode`.execute(trx);
}

/** Days of partitions kept created ahead of the current day (the current one included). */
export const DAYS_AHEAD = 3;

/** `<table>_pYYYYMMDD` for the UTC day starting at `dayMs`. */
export function partitionName(table: string, dayMs: number): string {
  return `${table}_p${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The UTC day start a partition name stands for, or undefined for another name. */
export function partitionDay(table: string, name: string): number | undefined {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  if (m === null) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Serialises partition changes of one schema between instances (transaction-scoped). */
export async function lockPartitions(trx: Kysely<unknown>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('vigil_partitions:' || current_schema()))`.execute(
    trx,
  );
}

/** The day starts of `table`'s existing day partitions, ascending. */
export async function listDayPartitions(db: Kysely<unknown>, table: string): Promise<number[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = p.relnamespace
    where p.relname = ${table} and n.nspname = current_schema()`.execute(db);
  return rows
    .map((r) => partitionDay(table, r.name))
    .filter((d): d is number => d !== undefined)
    .sort((a, b) => a - b);
}

/**
 * Creates the day partition starting at `dayMs` of every partitioned table that lacks it, in
 * one transaction under the partition lock. Rows the default partition holds for that day
 * move into the new partition (PostgreSQL refuses a partition whose rows sit in the default).
 * Returns how many partitions it created.
 */
export async function createDayPartitions(db: Kysely<unknown>, dayMs: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockPartitions(trx);
    const missing = [];
    for (const t of PARTITIONED_TABLES)
      if (!(await exists(trx, partitionName(t.table, dayMs)))) missing.push(t);
    if (missing.length === 0) return 0;
    await lockParents(trx);
    for (const { table, key } of missing) {
      const name = partitionName(table, dayMs);
      const from = sql.lit(dayMs);
      const to = sql.lit(dayMs + DAY_MS);
      const t = sql.table(table);
      const p = sql.table(name);
      const def = sql.table(`${table}_pdefault`);
      const k = sql.ref(key);
      const { rows: stray } = await sql<{ n: number }>`
        select count(*)::int as n from ${def} where ${k} >= ${from} and ${k} < ${to}`.execute(trx);
      if ((stray[0]?.n ?? 0) === 0) {
        await sql`create table ${p} partition of ${t} for values from (${from}) to (${to})`.execute(
          trx,
        );
      } else {
        // Move the day's rows out of the default partition, then attach the filled table.
        await sql`create table ${p} (like ${t} including defaults including constraints)`.execute(
          trx,
        );
        await sql`with moved as (
            delete from ${def} where ${k} >= ${from} and ${k} < ${to} returning *)
          insert into ${p} select * from moved`.execute(trx);
        await sql`alter table ${t} attach partition ${p} for values from (${from}) to (${to})`.execute(
          trx,
        );
      }
    }
    return missing.length;
  });
}

/**
 * Drops the day partition starting at `dayMs` of every partitioned table, in one transaction
 * under the partition lock. Returns how many it dropped.
 */
export async function dropDayPartitions(db: Kysely<unknown>, dayMs: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockPartitions(trx);
    const present = [];
    for (const { table } of PARTITIONED_TABLES) {
      const name = partitionName(table, dayMs);
      if (await exists(trx, name)) present.push(name);
    }
    if (present.length === 0) return 0;
    await lockParents(trx);
    for (const name of present) await sql`drop table ${sql.table(name)}`.execute(trx);
    return present.length;
  });
}

/**
 * Makes sure the day partitions from the day of `nowMs` to `DAYS_AHEAD − 1` days later exist
 * (the maintenance job, hourly, and migration 018). Returns how many partitions it created.
 */
export async function ensurePartitionsAhead(db: Kysely<unknown>, nowMs: number): Promise<number> {
  let created = 0;
  for (let d = 0; d < DAYS_AHEAD; d++)
    created += await createDayPartitions(db, dayStart(nowMs) + d * DAY_MS);
  return created;
}
