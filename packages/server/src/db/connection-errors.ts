import { Counter, type Registry } from 'prom-client';

/** Which connection was lost: the main pool, the fan-out's LISTEN connection or NOTIFY pool, or the cluster leases'. */
export type ConnectionErrorSource = 'pool' | 'fanout_listener' | 'fanout_pool' | 'leases';

/** Called for every error event of a PostgreSQL connection (a restart, a failover, a network cut). */
export type ConnectionErrorReporter = (source: ConnectionErrorSource, err: Error) => void;

const METRIC = 'vigil_database_connection_errors_total';

/**
 * Logs a lost PostgreSQL connection and counts it in `vigil_database_connection_errors_total
 * {source}`. node-postgres reports a connection dying (57P01 after pg_terminate_backend, a reset
 * socket) as an 'error' event on the client and, when idle, on its pool: an event with no
 * listener kills the process, so every pool and client gets this one.
 */
export function createConnectionErrorReporter(o: {
  registry?: Registry | undefined;
  log: { warn(obj: object, msg: string): void };
}): ConnectionErrorReporter {
  // One counter per registry, whichever module (database, fan-out) asks first.
  const existing = o.registry?.getSingleMetric(METRIC);
  const counter =
    o.registry === undefined
      ? undefined
      : existing instanceof Counter
        ? existing
        : new Counter({
            name: METRIC,
            help: 'PostgreSQL connections lost (error events), by connection',
            labelNames: ['source'] as const,
            registers: [o.registry],
          });
  return (source, err) => {
    counter?.inc({ source });
    o.log.warn(
      { source, err: err.message, code: (err as { code?: unknown }).code },
      'database connection lost',
    );
  };
}
