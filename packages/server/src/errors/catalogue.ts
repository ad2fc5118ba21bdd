import { ERROR_CATALOGUE, type ErrorCode } from '@vigil/protocol';

export { ERROR_CATALOGUE, type ErrorCode };

export interface DomainErrorOptions {
  /** Overrides the catalogue message with a more specific one (never with internals). */
  message?: string;
  /** The input at fault, as a JSON path into the request (`email`, `health_profile.age`). */
  field?: string;
  /** Seconds after which a retry may succeed; rendered as the Retry-After header. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** An error a service throws on purpose; carries a catalogue code, never an HTTP concept. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: DomainErrorOptions = {}) {
    super(options.message ?? ERROR_CATALOGUE[code].message, { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function domainError(code: ErrorCode, options?: DomainErrorOptions): DomainError {
  return new DomainError(code, options);
}

/** Bad input, naming the field and the rule it breaks. */
export function validationFailed(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', { field, message });
}

export function notFound(
  code: 'USER_NOT_FOUND' | 'DEVICE_NOT_FOUND' | 'PATIENT_NOT_FOUND',
  field?: string,
): DomainError {
  return new DomainError(code, field === undefined ? {} : { field });
}

export function forbidden(message?: string): DomainError {
  return new DomainError('FORBIDDEN', message === undefined ? {} : { message });
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
