import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError } from '../../../../errors/catalogue.js';
import { errorHandler } from '../../error-handler.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** FHIR issue types (http://hl7.org/fhir/R4/valueset-issue-type.html) by HTTP status. */
function issueType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'login';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
    case 415:
      return 'not-supported';
    case 413:
      return 'too-costly';
    case 429:
      return 'throttled';
    default:
      return status >= 500 ? 'exception' : 'processing';
  }
}

/**
 * The error handler of /fhir/R4 (a Fastify error handler scoped to the FHIR plugin). It is the
 * app's one error handler (same catalogue, statuses, logging, hidden 5xx internals) with a
 * different body: FHIR clients understand only an OperationOutcome
 * (http://hl7.org/fhir/R4/http.html#3.1.0.4), so `{code, message, field}` is rendered as one
 * issue whose details carry the catalogue code and whose expression names the field.
 */
export function fhirErrorHandler(
  error: FastifyError | DomainError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): Record<string, unknown> {
  const body = errorHandler(error, request, reply);
  void reply.type(FHIR_JSON);
  const issue: Record<string, unknown> = {
    severity: 'error',
    code: issueType(body.statusCode),
    details: { coding: [{ system: 'urn:vigil:error-code', code: body.code }], text: body.message },
    diagnostics: body.message,
  };
  if (body.field !== undefined) issue.expression = [body.field];
  return { resourceType: 'OperationOutcome', issue: [issue] };
}
