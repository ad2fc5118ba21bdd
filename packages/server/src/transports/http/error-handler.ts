import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_CATALOGUE, type ErrorCode } from '../../errors/catalogue.js';
import type { ErrorResponse } from '@vigil/protocol';
import { describeValidation } from '../../errors/describe-validation.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Statuses a route answers some catalogue codes with, where a seed's contract fixes another
     * status than the catalogue's (seed 002's register: an email already registered is 400).
     * The code, message and field stay the catalogue's.
     */
    errorStatus?: Partial<Record<ErrorCode, number>>;
    /**
     * What a route whose body is not JSON takes, for its 415: the media types and how to send
     * them. Absent: JSON (the default parser; multipart routes answer their own 415).
     */
    bodyMediaTypes?: { types: readonly string[]; how?: string };
  }
}

/** "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
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

/** The media type of a Content-Type header, without parameters, shortened to quote it safely. */
function mediaType(header: string | undefined): string {
  const type = (header ?? '').split(';')[0]?.trim() ?? '';
  if (type === '') return '(none)';
  return JSON.stringify(type.length > 100 ? `${type.slice(0, 100)}…` : type);
}

/**
 * A 415's message: the Content-Type sent and what the route takes (its `bodyMediaTypes`, else
 * JSON). Also for routes that refuse a type their parsers accepted (a JSON body where a
 * multipart upload is expected).
 */
export function unsupportedMediaTypeMessage(request: FastifyRequest): string {
  const type = mediaType(request.headers['content-type']);
  const takes = request.routeOptions.config.bodyMediaTypes;
  return takes === undefined
    ? `Content-Type ${type} is not accepted by this endpoint (JSON bodies are application/json)`
    : `Content-Type ${type} is not accepted by this endpoint (it takes ${orList(takes.types)}${takes.how === undefined ? '' : `, ${takes.how}`})`;
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
    const status = request.routeOptions.config.errorStatus?.[error.code] ?? error.status;
    body = { code: error.code, message: error.message, statusCode: status, detail: '' };
    if (error.field !== undefined) body.field = error.field;
    if (error.retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  } else if ('code' in error && error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    body = {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: unsupportedMediaTypeMessage(request),
      field: 'content-type',
      statusCode: 415,
      detail: '',
    };
  } else if ('validation' in error && Array.isArray(error.validation)) {
    const { field, message } = describeValidation(error.validation);
    body = { code: 'VALIDATION_FAILED', message, field, statusCode: 400, detail: '' };
  } else {
    const status =
      'statusCode' in error && typeof error.statusCode === 'number' && error.statusCode >= 400
        ? error.statusCode
        : 500;
    const code = codeForStatus(status);
    // Framework 4xx messages ("Unexpected token } in JSON") help the client; 5xx ones never leave.
    const message = status < 500 ? error.message : ERROR_CATALOGUE[code].message;
    body = { code, message, statusCode: status, detail: '' };
  }
  // FastAPI's error body is `{"detail": ...}`; seed clients show it as is.
  body.detail = body.message;
  // A 503 is the server saying "later" by design (load shed, stopping, database unavailable:
  // counted in metrics, the outage itself logged where it is found): a warning per request, not
  // an error, so an overload does not bury real failures in error-level lines.
  if (body.statusCode === 503)
    request.log.warn({ code: body.code, reason: error.message }, 'request refused for now');
  else if (body.statusCode >= 500)
    request.log.error({ err: error, code: body.code }, 'request failed');
  else request.log.info({ code: body.code, field: body.field }, error.message);
  void reply.status(body.statusCode);
  return body;
}
