import { createHash, randomInt } from 'node:crypto';
import pg from 'pg';
import type { ConnectionErrorReporter } from '../db/connection-errors.js';

/**
 * Leases shared by the instances of one deployment, on PostgreSQL session-level advisory locks
 * held by one dedicated connection per instance. A lock is the lease: PostgreSQL grants it to
 * one session at a time and releases it the moment that session ends, whether the instance
 * closed, crashed or was killed (the server sees the socket close), so no expiry or clock is
 * involved. Each lease is named; the lock key is (hash of the schema, hash of the name), so
 * deployments (and test schemas) sharing a database never meet.
 *
 * The connection is re-checked whenever a lease is asked for: if it was lost, every lease is
 * dropped at once (another instance may hold them already) and a new connection is opened on
 * the next call.
 */
export interface ClusterLeases {
  /**
   * Takes the named lease if it is free, or confirms this instance still holds it. False when
   * another instance holds it or PostgreSQL cannot be reached.
   */
  acquire(name: string): Promise<boolean>;
  /** Gives the lease back (nothing when not held). */
  release(name: string): Promise<void>;
  /** Whether this instance held the lease when last checked (no round trip). */
  holds(name: string): boolean;
  /**
   * Re-checks, in one round trip, which of the named leases this instance still holds (a lost
   * connection loses them all); returns those.
   */
  confirm(names: readonly string[]): Promise<Set<string>>;
  /**
   * Listens on a notification channel on the lease connection (re-subscribed when the
   * connection is re-opened). Notifications sent while it is down are lost.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>;
  /** Sends a notification to every instance's `listen` on the channel (this one's too). */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * How many instances currently take part (each holds a membership lock while its connection
   * lives); 1 on a single instance.
   */
  members(): Promise<number>;
  /**
   * The advertised address (`address` of createPgLeases) of the instance holding each of the
   * named leases, this one's included; leases free, or held by an instance that advertised no
   * address, are absent. One round trip: what PostgreSQL's lock table says now.
   */
  holders(names: readonly string[]): Promise<Map<string, string>>;
  /** Releases every lease (closes the connection). */
  close(): Promise<void>;
}

/** A single instance (SQLite): it always holds every lease. */
export function createLocalLeases(): ClusterLeases {
  // Notifications stay in the process: the one instance is every listener.
  const listeners = new Map<string, ((payload: string) => void)[]>();
  return {
    acquire: () => Promise.resolve(true),
    release: () => Promise.resolve(),
    holds: () => true,
    confirm: (names) => Promise.resolve(new Set(names)),
    listen: (channel, onPayload) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), onPayload]);
      return Promise.resolve();
    },
    notify: (channel, payload) => {
      // After the caller's turn, as a PostgreSQL notification arrives after its commit.
      for (const onPayload of listeners.get(channel) ?? [])
        queueMicrotask(() => {
          onPayload(payload);
        });
      return Promise.resolve();
    },
    members: () => Promise.resolve(1),
    holders: () => Promise.resolve(new Map()),
    close: () => Promise.resolve(),
  };
}

/** A 31-bit key of `text` (advisory lock keys are int4; non-negative keeps pg_locks simple). */
export function leaseKey(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) & 0x7fffffff;
}

export async function createPgLeases(o: {
  url: string;
  /** The deployment's schema: its leases never meet another schema's. */
  scope: string;
  /** This instance's name (logs, pg_stat_activity's application_name). */
  instance: string;
  /**
   * Where other instances reach this one over HTTP (e.g. `http://10.0.0.5:8000`): written to the
   * schema's `cluster_members` table (migration 020) for this lease connection, so `holders`
   * of any instance can name it. Absent: this instance is not named by `holders`.
   */
  address?: string;
  onConnectionError?: ConnectionErrorReporter;
}): Promise<ClusterLeases> {
  const scopeKey = leaseKey(`vigil-leases:${o.scope}`);
  const memberScope = leaseKey(`vigil-members:${o.scope}`);
  // The member table lives in the deployment's schema; the lease connection has no search_path.
  const members = `"${o.scope.replaceAll('"', '""')}".cluster_members`;
  const held = new Set<string>();
  const channels = new Map<string, (payload: string) => void>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;

  const drop = (c: pg.Client): void => {
    if (client !== c) return;
    client = undefined;
    held.clear();
    c.end().catch(() => undefined);
  };
  const connect = (): Promise<pg.Client> => {
    if (client !== undefined) return Promise.resolve(client);
    connecting ??= (async () => {
      const c = new pg.Client({
        connectionString: o.url,
        application_name: `vigil-leases ${o.instance}`.slice(0, 63),
      });
      c.on('error', (err) => {
        o.onConnectionError?.('leases', err);
        drop(c);
      });
      try {
        await c.connect();
        // Membership: held for the connection's life, counted by members() (by session, so
        // the key is any free one: two instances may share a name).
        for (let taken = false; !taken;)
          taken =
            (
              await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
                memberScope,
                randomInt(0x7fffffff),
              ])
            ).rows[0]?.ok === true;
        if (o.address !== undefined) {
          // This connection's row (its pid is the key pg_locks gives), and none of sessions gone.
          await c.query(
            `insert into ${members} (backend_pid, instance, address, joined_at)
               values (pg_backend_pid(), $1, $2, (extract(epoch from clock_timestamp()) * 1000)::bigint)
               on conflict (backend_pid) do update
                 set instance = excluded.instance, address = excluded.address,
                     joined_at = excluded.joined_at`,
            [o.instance, o.address],
          );
          await c.query(
            `delete from ${members} where backend_pid not in (select pid from pg_stat_activity)`,
          );
        }
        c.on('notification', (n) => {
          if (n.payload !== undefined) channels.get(n.channel)?.(n.payload);
        });
        for (const channel of channels.keys()) await c.query(`listen "${channel}"`);
      } catch (error) {
        c.end().catch(() => undefined);
        throw error;
      }
      client = c;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  /** Runs one query on the lease connection; a failure drops the connection and every lease. */
  const query = async <R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    const c = await connect();
    try {
      return await c.query<R>(text, values);
    } catch (error) {
      drop(c);
      throw error;
    }
  };

  // Membership counts from the start (members() of the others sees this instance at once).
  await connect();
  return {
    async acquire(name) {
      if (closed) return false;
      const key = leaseKey(name);
      try {
        if (held.has(name)) {
          // Still ours? A lost connection has released it (and cleared `held` on its error).
          const r = await query<{ n: string }>(
            `select count(*) as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()
               and classid = $1 and objid = $2 and objsubid = 2 and granted`,
            [scopeKey, key],
          );
          if (Number(r.rows[0]?.n ?? 0) > 0) return true;
          held.delete(name);
        }
        const r = await query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
          scopeKey,
          key,
        ]);
        if (r.rows[0]?.ok === true) held.add(name);
        return held.has(name);
      } catch {
        return false;
      }
    },
    async release(name) {
      if (!held.delete(name) || client === undefined) return;
      try {
        await query('select pg_advisory_unlock($1, $2)', [scopeKey, leaseKey(name)]);
      } catch {
        // The connection is gone, and the lock with it.
      }
    },
    holds: (name) => held.has(name),
    async confirm(names) {
      const mine = names.filter((n) => held.has(n));
      if (mine.length === 0) return new Set();
      try {
        const r = await query<{ objid: number }>(
          `select objid from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()
             and classid = $1 and objsubid = 2 and granted`,
          [scopeKey],
        );
        const keys = new Set(r.rows.map((row) => row.objid));
        for (const n of mine) if (!keys.has(leaseKey(n))) held.delete(n);
      } catch {
        // drop() has cleared every lease.
      }
      return new Set(mine.filter((n) => held.has(n)));
    },
    async listen(channel, onPayload) {
      if (!/^[a-z0-9_]{1,63}$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
      channels.set(channel, onPayload);
      try {
        await query(`listen "${channel}"`, []);
      } catch {
        // Subscribed again when the connection is re-opened.
      }
    },
    async notify(channel, payload) {
      await query('select pg_notify($1, $2)', [channel, payload]);
    },
    async members() {
      try {
        const r = await query<{ n: string }>(
          // pg_locks lists every database's locks: the members are this database's only (an
          // instance of another database on the same server must not take a share).
          `select count(distinct pid) as n from pg_locks
             where locktype = 'advisory' and classid = $1 and objsubid = 2 and granted
               and database = (select oid from pg_database where datname = current_database())`,
          [memberScope],
        );
        return Math.max(1, Number(r.rows[0]?.n ?? 1));
      } catch {
        return 1;
      }
    },
    async holders(names) {
      const byKey = new Map(names.map((n) => [leaseKey(n), n]));
      const out = new Map<string, string>();
      if (byKey.size === 0) return out;
      // Read-only: a failed read is the caller's to handle and does not drop the leases (the
      // connection's own error event does, when the connection itself is lost).
      const c = await connect();
      const r = await c.query<{ objid: number; address: string }>(
        `select l.objid, m.address from pg_locks l join ${members} m on m.backend_pid = l.pid
           where l.locktype = 'advisory' and l.classid = $1 and l.objsubid = 2 and l.granted
             and l.database = (select oid from pg_database where datname = current_database())`,
        [scopeKey],
      );
      for (const row of r.rows) {
        const name = byKey.get(row.objid);
        if (name !== undefined) out.set(name, row.address);
      }
      return out;
    },
    async close() {
      closed = true;
      held.clear();
      const c = client ?? (await connecting?.catch(() => undefined));
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
