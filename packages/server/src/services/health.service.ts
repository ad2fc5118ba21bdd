import { DomainError } from '../errors/catalogue.js';
import type { HealthRepository } from '../repositories/health.repository.js';

export class HealthService {
  constructor(
    private readonly deps: { health: HealthRepository; dialect: 'sqlite' | 'postgres' },
  ) {}

  /** Readiness: the database answers. */
  async ready(): Promise<{ status: 'ready'; database: 'sqlite' | 'postgres' }> {
    try {
      await this.deps.health.ping();
    } catch (cause) {
      throw new DomainError('SERVICE_UNAVAILABLE', {
        message: 'The database is unreachable',
        cause,
        // The db layer's DATABASE_UNAVAILABLE says when to retry.
        ...(cause instanceof DomainError && cause.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: cause.retryAfterSeconds }
          : {}),
      });
    }
    return { status: 'ready', database: this.deps.dialect };
  }
}
