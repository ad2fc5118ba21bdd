import { type DomainError, validationFailed } from '../../errors/catalogue.js';

/** Fastify's router limit on one path parameter (its `maxParamLength` default, kept). */
export const MAX_PATH_PARAM_CHARS = 100;

/** The refusal app.ts's frameworkErrors gives the router's FST_ERR_MAX_PARAM_LENGTH. */
export function pathParamTooLong(): DomainError {
  return validationFailed(
    'path',
    `a path parameter is longer than ${String(MAX_PATH_PARAM_CHARS)} characters`,
  );
}

/**
 * Throws the router's own 400 when a segment of `path` is longer than a path parameter may be.
 * Needed by catch-all routes (`GET /*`: the dashboard's page fallback, FHIR's unknown paths):
 * a wildcard has no length limit, so it matches `/api/v1/alerts/<400 characters>` before the
 * router can refuse the parameter, and the client got a 404 instead of the 400 it gets
 * without the dashboard.
 */
export function assertPathParamsWithinLimit(path: string): void {
  if (path.split('/').some((segment) => segment.length > MAX_PATH_PARAM_CHARS))
    throw pathParamTooLong();
}
