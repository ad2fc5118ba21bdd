import type { FastifyInstance } from 'fastify';
import { validationFailed } from '../../errors/catalogue.js';

/** Keys refused in a JSON body (prototype poisoning): `__proto__`, `constructor.prototype`. */
function poisonedPath(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = poisonedPath(value[i], `${path}[${String(i)}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '__proto__') return at;
    if (
      key === 'constructor' &&
      typeof child === 'object' &&
      child !== null &&
      Object.hasOwn(child, 'prototype')
    )
      return at;
    const found = poisonedPath(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Fastify's JSON parser (secure-json-parse, refusing prototype poisoning), except that a body
 * refused for a `__proto__` or `constructor.prototype` key is a VALIDATION_FAILED naming that
 * key instead of "Body is not valid JSON" with no field. Only the refused body is parsed again.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    void parse(request, body as string, (error, value) => {
      if (error === null) {
        done(null, value);
        return;
      }
      let path: string | undefined;
      try {
        path = poisonedPath(JSON.parse(body as string), '');
      } catch {
        path = undefined;
      }
      if (path === undefined) done(error, undefined);
      else done(validationFailed(path, `${path} is not an allowed property name`), undefined);
    });
  });
}
