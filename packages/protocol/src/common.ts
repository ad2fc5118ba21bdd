import { Type, type Static, type TSchema } from 'typebox';

export const ErrorResponseSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable error code from the catalogue (ERRORS.md)' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The input at fault, as a JSON path' })),
    statusCode: Type.Integer(),
    detail: Type.String({
      description:
        'The message again, under the FastAPI name the seed clients (e.g. the cardiac-monitor app) display',
    }),
  },
  { title: 'ErrorResponse' },
);
export type ErrorResponse = Static<typeof ErrorResponseSchema>;

/** `{ 400: ErrorResponse, 401: ErrorResponse, ... }` for a route's response schema. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = ErrorResponseSchema;
  return out;
}

export const IdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) });

/**
 * `offset` of an offset-paged list. Bounded at 2^53 - 1: beyond it PostgreSQL's bigint refused
 * the query (a 500 for `?offset=99999999999999999999`), and no list is that long.
 */
export const OffsetParam = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  default: 0,
  description: 'Rows to skip',
});

export const PaginationQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: OffsetParam,
});
export type PaginationQuery = Static<typeof PaginationQuerySchema>;

/** `cursor` of a keyset-paged list (audit trail, vitals history, MQTT dead letters). */
export const CursorParam = Type.Optional(
  Type.String({ maxLength: 200, description: 'next_cursor of the previous page' }),
);

/** A keyset-paged list of `item`: `next_cursor` is null on the last page. */
export function cursorPage<T extends TSchema>(item: T, title: string) {
  return Type.Object(
    {
      items: Type.Array(item),
      next_cursor: Type.Union([Type.String(), Type.Null()], {
        description: 'null on the last page',
      }),
    },
    { title },
  );
}

export const IsoDateTime = Type.String({ format: 'date-time' });

/** Used for 204 responses. */
export const NoContentSchema = Type.Null({ description: 'No content' });
