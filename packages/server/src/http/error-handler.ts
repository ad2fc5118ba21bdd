import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_CATALOGUE, type ErrorCode } from '../errors/catalogue.js';
import type { ErrorResponse } from './schemas/common.schemas.js';

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

/** `/health_profile/conditions/0` → `health_profile.conditions[0]` (the field as clients write it). */
export function pointerToPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** The field and the rule of the most telling validation issue. */
export function describeValidation(issues: readonly ValidationIssue[]): {
  field: string;
  message: string;
} {
  // TypeBox reports `additionalProperties: false` twice; the `boolean` twin says only "schema is false".
  const issue = issues.find((i) => i.keyword !== 'boolean') ?? issues[0];
  if (issue === undefined) return { field: '', message: 'is invalid' };
  const base = pointerToPath(issue.instancePath);
  const p = issue.params;
  if (issue.keyword === 'required') {
    const missing = Array.isArray(p.requiredProperties)
      ? String(p.requiredProperties[0])
      : String(p.missingProperty);
    const field = join(base, missing);
    return { field, message: `${field} is required` };
  }
  if (issue.keyword === 'additionalProperties') {
    const extra = Array.isArray(p.additionalProperties)
      ? String(p.additionalProperties[0])
      : String(p.additionalProperty);
    const field = join(base, extra);
    return { field, message: `${field} is not an allowed property` };
  }
  const field = base === '' ? '(body)' : base;
  if (issue.keyword === 'const' || issue.keyword === 'enum') {
    // A union of literals fails once per member: list every allowed value at this path.
    const allowed = issues
      .filter((i) => i.instancePath === issue.instancePath)
      .flatMap((i) =>
        i.keyword === 'const'
          ? [i.params.allowedValue]
          : i.keyword === 'enum' && Array.isArray(i.params.allowedValues)
            ? (i.params.allowedValues as unknown[])
            : [],
      )
      .map((v) => JSON.stringify(v));
    return {
      field,
      message:
        allowed.length === 1
          ? `${field} must be ${allowed.join('')}`
          : `${field} must be one of ${allowed.join(', ')}`,
    };
  }
  return { field, message: `${field} ${issue.message ?? 'is invalid'}` };
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 404:
      return 'ROUTE_NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'MALFORMED_REQUEST';
  }
}

/**
 * The one error handler: domain errors by their catalogue entry, schema validation as
 * VALIDATION_FAILED naming the field, framework 4xx by status, anything else as a 500 whose
 * body carries no internals. Every error is logged with the request id (pino child logger).
 */
export function errorHandler(
  error: FastifyError | DomainError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): ErrorResponse {
  let body: ErrorResponse;
  if (error instanceof DomainError) {
    body = { code: error.code, message: error.message, statusCode: error.status };
    if (error.field !== undefined) body.field = error.field;
    if (error.retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  } else if ('validation' in error && Array.isArray(error.validation)) {
    const { field, message } = describeValidation(error.validation);
    body = { code: 'VALIDATION_FAILED', message, field, statusCode: 400 };
  } else {
    const status =
      'statusCode' in error && typeof error.statusCode === 'number' && error.statusCode >= 400
        ? error.statusCode
        : 500;
    const code = codeForStatus(status);
    // Framework 4xx messages ("Unexpected token } in JSON") help the client; 5xx ones never leave.
    const message = status < 500 ? error.message : ERROR_CATALOGUE[code].message;
    body = { code, message, statusCode: status };
  }
  if (body.statusCode >= 500) request.log.error({ err: error, code: body.code }, 'request failed');
  else request.log.info({ code: body.code, field: body.field }, error.message);
  void reply.status(body.statusCode);
  return body;
}
