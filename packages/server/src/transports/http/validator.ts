import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/**
 * TypeBox validation for every route. Query strings, params and headers arrive as strings, so
 * they are converted ("20" → 20) before the check; JSON bodies are not (a string "42" is not an
 * age). Declared defaults are filled in for every part. All issues are reported; the error
 * handler names the most telling one.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  return (input: unknown) => {
    const converted = httpPart === 'body' ? input : Value.Convert(schema, input);
    const value = Value.Default(schema, converted);
    if (check.Check(value)) return { value };
    return { error: check.Errors(value) };
  };
};
