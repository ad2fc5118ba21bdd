import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';

/**
 * TypeBox's `Errors` explains a failed check by walking every element of the value, at about
 * 5 µs an element: a device body of 2 million ECG samples (10 MB, under the 16 MiB body limit)
 * whose only fault was its length took 10 s of the event loop to be refused, and every other
 * request and device waited (measured: `/health` 9.9 s). The compiled check itself fails it in
 * tens of milliseconds. So the explanation is run on a pruned copy that fails in the same places
 * with the same paths, at most `maxItems + 1` elements per array and only up to each array's
 * first failing element; clients are told the first issue (describe-validation), which the
 * pruned copy keeps.
 */
export function validationErrors(schema: TSchema, value: unknown): TLocalizedValidationError[] {
  // Called once the check failed: the value is not checked whole again.
  return checkerOf(schema)?.Errors(pruneForErrors(schema, value, true)) ?? [];
}

type Checker = ReturnType<typeof Compile>;

const checkers = new WeakMap<object, Checker | null>();

/** A compiled check of a (sub)schema, or null when it does not compile alone (a `Ref`). */
function checkerOf(schema: TSchema): Checker | null {
  let c = checkers.get(schema);
  if (c === undefined) {
    try {
      c = Compile(schema);
    } catch {
      c = null;
    }
    checkers.set(schema, c);
  }
  return c;
}

interface ShapeSchema {
  type?: unknown;
  items?: unknown;
  maxItems?: unknown;
  minItems?: unknown;
  uniqueItems?: unknown;
  contains?: unknown;
  prefixItems?: unknown;
  properties?: unknown;
}

/** An array schema whose elements are judged one by one (no tuple, uniqueness or `contains`). */
function elementwiseArray(s: ShapeSchema): s is ShapeSchema & { items: TSchema } {
  return (
    s.type === 'array' &&
    typeof s.items === 'object' &&
    s.items !== null &&
    !Array.isArray(s.items) &&
    s.uniqueItems !== true &&
    s.contains === undefined &&
    s.prefixItems === undefined
  );
}

function propertiesOf(s: ShapeSchema): Record<string, TSchema> | undefined {
  return s.type === 'object' && typeof s.properties === 'object' && s.properties !== null
    ? (s.properties as Record<string, TSchema>)
    : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A copy of `value` with the same first validation issues at the same paths: an array over its
 * `maxItems` keeps `maxItems + 1` elements (still too long); a valid array keeps only the
 * `minItems` it needs; an array with a faulty element ends at its first one, the valid elements
 * before it shrunk alike (so indices are unchanged).
 */
function pruneForErrors(schema: TSchema, value: unknown, failed = false): unknown {
  const s = schema as ShapeSchema;
  if (Array.isArray(value) && elementwiseArray(s)) {
    const max = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    const bounded = value.length > max ? value.slice(0, max + 1) : value;
    if (!failed && bounded === value && checkerOf(schema)?.Check(value) === true)
      return shrinkValid(schema, value);
    const item = checkerOf(s.items);
    if (item === null) return bounded;
    const out: unknown[] = [];
    for (const element of bounded) {
      if (item.Check(element)) {
        out.push(shrinkValid(s.items, element));
        continue;
      }
      out.push(pruneForErrors(s.items, element));
      // Past the first faulty element only the length matters (maxItems, minItems).
      if (bounded.length <= max && out.length >= min) return out;
    }
    return out;
  }
  const properties = propertiesOf(s);
  if (properties !== undefined && isPlainObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const [key, sub] of Object.entries(properties))
      if (Object.hasOwn(value, key)) out[key] = pruneForErrors(sub, value[key]);
    return out;
  }
  return value;
}

/** A small stand-in for a value the schema accepts, accepted as well. */
function shrinkValid(schema: TSchema, value: unknown): unknown {
  const s = schema as ShapeSchema;
  if (Array.isArray(value) && elementwiseArray(s)) {
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    return value.slice(0, min).map((element) => shrinkValid(s.items, element));
  }
  const properties = propertiesOf(s);
  if (properties !== undefined && isPlainObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const [key, sub] of Object.entries(properties))
      if (Object.hasOwn(value, key)) out[key] = shrinkValid(sub, value[key]);
    return out;
  }
  return value;
}
