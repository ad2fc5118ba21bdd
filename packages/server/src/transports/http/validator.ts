import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { validationErrors } from '@vigil/protocol';

/**
 * The JSON pointer of the first string (value or key) holding U+0000, or undefined. PostgreSQL
 * text cannot hold it: a query or insert with one failed ("invalid byte sequence for encoding
 * UTF8: 0x00"), so `GET /api/v1/vitals/a%00b`, `?patient_id=a%00b` or a login whose email held
 * "\u0000" answered 500 on PostgreSQL.
 */
function nulPointer(value: unknown, pointer: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      // Numbers are most of a large body (ECG samples): skipped without a call.
      if (typeof v === 'number') continue;
      const found = nulPointer(v, `${pointer}/${String(i)}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key.includes('\u0000')) return at;
    const found = nulPointer(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The first field of a query string or path declared an integer whose text is a number but not a
 * whole one. Value.Convert truncates it ("1.5" → 1), so `?limit=1.5` was answered as `?limit=1`
 * without a word.
 */
function fractionalInteger(schema: TSchema, input: unknown): string | undefined {
  const props = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (props === undefined || typeof input !== 'object' || input === null) return undefined;
  for (const [key, prop] of Object.entries(props)) {
    const v = (input as Record<string, unknown>)[key];
    if (prop.type !== 'integer' || typeof v !== 'string' || v.trim() === '') continue;
    const n = Number(v);
    if (Number.isFinite(n) && !Number.isInteger(n)) return key;
  }
  return undefined;
}

/**
 * TypeBox validation for every route. Query strings, params and headers arrive as strings, so
 * they are converted ("20" → 20) before the check; JSON bodies are not (a string "42" is not an
 * age). Declared defaults are filled in for every part. All issues are reported; the error
 * handler names the most telling one. A string holding U+0000 is refused in every part.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  return (input: unknown) => {
    const fractional = httpPart === 'body' ? undefined : fractionalInteger(schema, input);
    if (fractional !== undefined)
      return {
        error: [
          {
            keyword: 'type',
            instancePath: `/${fractional}`,
            message: 'must be integer',
            params: { type: 'integer' },
          },
        ] as never,
      };
    const converted = httpPart === 'body' ? input : Value.Convert(schema, input);
    const value = Value.Default(schema, converted);
    if (!check.Check(value)) return { error: validationErrors(schema, value) };
    const nul = nulPointer(value, '');
    if (nul === undefined) return { value };
    return {
      error: [
        {
          keyword: 'nul',
          instancePath: nul,
          message: 'must not contain the NUL character (U+0000)',
          params: {},
        },
      ] as never,
    };
  };
};
