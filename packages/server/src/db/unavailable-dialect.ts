import type {
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  TransactionSettings,
} from 'kysely';
import { DomainError } from '../errors/catalogue.js';
import { isDatabaseUnavailable } from './errors.js';

/** Retry-After of a DATABASE_UNAVAILABLE answer: the pool reconnects on the next query. */
export const DATABASE_RETRY_AFTER_S = 5;

function mapError(error: unknown): unknown {
  if (error instanceof DomainError || !isDatabaseUnavailable(error)) return error;
  return new DomainError('DATABASE_UNAVAILABLE', {
    retryAfterSeconds: DATABASE_RETRY_AFTER_S,
    cause: error,
  });
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mapError(error);
  }
}

interface WrappedConnection extends DatabaseConnection {
  readonly inner: DatabaseConnection;
}

function wrap(inner: DatabaseConnection): WrappedConnection {
  return {
    inner,
    executeQuery: (query) => mapped(() => inner.executeQuery(query)),
    async *streamQuery(query, chunkSize) {
      try {
        yield* inner.streamQuery(query, chunkSize);
      } catch (error) {
        throw mapError(error);
      }
    },
  };
}

const innerOf = (c: DatabaseConnection): DatabaseConnection => (c as WrappedConnection).inner;

/**
 * Wraps a Kysely dialect so that a database that cannot serve now (PostgreSQL down, restarting
 * or unreachable; SQLite locked by another process or its disk failing: see isDatabaseUnavailable)
 * surfaces as the domain error DATABASE_UNAVAILABLE (503 with Retry-After) from every query,
 * instead of each caller seeing a driver error that the HTTP handler can only call a 500. Other
 * errors (constraint violations, bad values) pass through unchanged. `beforeQuery`, called before
 * a connection is handed out (every query and transaction), may refuse it with a DomainError
 * (the SQLite file guard).
 */
export function withUnavailableErrors(dialect: Dialect, beforeQuery?: () => void): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver(): Driver {
      const driver = dialect.createDriver();
      const missing = (name: string): Error => new Error(`the driver has no ${name}`);
      return {
        init: () => mapped(() => driver.init()),
        acquireConnection: async () => {
          beforeQuery?.();
          return wrap(await mapped(() => driver.acquireConnection()));
        },
        beginTransaction: (c: DatabaseConnection, settings: TransactionSettings) =>
          mapped(() => driver.beginTransaction(innerOf(c), settings)),
        commitTransaction: (c) => mapped(() => driver.commitTransaction(innerOf(c))),
        rollbackTransaction: (c) => mapped(() => driver.rollbackTransaction(innerOf(c))),
        savepoint: (c, name, compile: QueryCompiler['compileQuery']) =>
          mapped(async () => {
            if (driver.savepoint === undefined) throw missing('savepoint');
            await driver.savepoint(innerOf(c), name, compile);
          }),
        rollbackToSavepoint: (c, name, compile: QueryCompiler['compileQuery']) =>
          mapped(async () => {
            if (driver.rollbackToSavepoint === undefined) throw missing('rollbackToSavepoint');
            await driver.rollbackToSavepoint(innerOf(c), name, compile);
          }),
        releaseSavepoint: (c, name, compile: QueryCompiler['compileQuery']) =>
          mapped(async () => {
            if (driver.releaseSavepoint === undefined) throw missing('releaseSavepoint');
            await driver.releaseSavepoint(innerOf(c), name, compile);
          }),
        releaseConnection: (c) => mapped(() => driver.releaseConnection(innerOf(c))),
        destroy: () => driver.destroy(),
      };
    },
  };
}
