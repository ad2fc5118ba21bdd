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
    const at = join(path, key);
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

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACKET = 91;
const OPEN_BRACE = 123;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;
const LOWER_E = 101;
const UPPER_E = 69;
const ZERO = 48;
const NINE = 57;
/** A decimal exponent or integer part this long may overflow a double (max ≈ 1.8e308). */
const OVERFLOW_DIGITS = 300;

interface Scan {
  /** Index in the text where nesting went past the limit, or -1. */
  tooDeepAt: number;
  /** A number literal that may be beyond the double range (then the parsed value is walked). */
  mayOverflow: boolean;
}

/**
 * One pass over the raw text, before parsing: JSON.parse takes seconds and hundreds of MB on a
 * body of millions of `[` (measured: 5.7 s for 4 million levels), so depth is refused first.
 * Also notes number literals long enough to overflow to Infinity.
 */
function scan(text: string, maxDepth: number): Scan {
  let depth = 0;
  let mayOverflow = false;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      if (++digits >= OVERFLOW_DIGITS) mayOverflow = true;
      continue;
    }
    digits = 0;
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return { tooDeepAt: i, mayOverflow };
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
    else if (c === LOWER_E || c === UPPER_E) {
      // An exponent of three digits or more (1e309); "true"/"false" are never followed by one.
      let j = i + 1;
      const sign = text.charCodeAt(j);
      if (sign === 43 || sign === 45) j++;
      let exponentDigits = 0;
      while (j < text.length && text.charCodeAt(j) >= ZERO && text.charCodeAt(j) <= NINE) {
        exponentDigits++;
        j++;
      }
      if (exponentDigits >= 3) mayOverflow = true;
    }
  }
  return { tooDeepAt: -1, mayOverflow };
}

/**
 * The path to the container that went past the depth limit, read from the text before
 * `end` (only run on a refused body, so it may be slower than `scan`). Keys are shown as
 * written; arrays by index.
 */
function pathAt(text: string, end: number): string {
  const stack: { key: string | number; array: boolean }[] = [];
  let lastString = '';
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      for (i++; i < end; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
      try {
        lastString = String(JSON.parse(text.slice(start, i + 1)));
      } catch {
        lastString = text.slice(start + 1, i);
      }
    } else if (c === OPEN_BRACKET) stack.push({ key: 0, array: true });
    else if (c === OPEN_BRACE) stack.push({ key: '', array: false });
    else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) stack.pop();
    else if (c === 58 /* : */) {
      const top = stack.at(-1);
      if (top !== undefined && !top.array) top.key = lastString;
    } else if (c === 44 /* , */) {
      const top = stack.at(-1);
      if (top?.array === true) top.key = Number(top.key) + 1;
    }
  }
  let path = '';
  // The innermost container is the one refused; it is reached through its parents' keys.
  for (const level of stack) {
    if (level.array) path += `[${String(level.key)}]`;
    else path = join(path, String(level.key));
  }
  return path;
}

/** The path of the first number that parsed to ±Infinity, or undefined. */
function nonFinitePath(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : '';
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFinitePath(value[i]);
      if (found !== undefined)
        return `[${String(i)}]${found.startsWith('[') || found === '' ? found : `.${found}`}`;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const found = nonFinitePath(child);
    if (found !== undefined)
      return found === '' || found.startsWith('[') ? `${key}${found}` : `${key}.${found}`;
  }
  return undefined;
}

export interface JsonBodyOptions {
  /** Deepest nesting of arrays and objects accepted (Vigil's own bodies need fewer than 8). */
  maxDepth: number;
}

/**
 * Fastify's JSON parser (secure-json-parse, refusing prototype poisoning), with three refusals
 * that name the field at fault (VALIDATION_FAILED) instead of "Body is not valid JSON":
 * - a `__proto__` or `constructor.prototype` key (only the refused body is parsed again);
 * - nesting deeper than `maxDepth`, checked on the raw text before parsing;
 * - a number beyond the double range (1e309), which JSON.parse turns into Infinity.
 */
export function registerJsonBodyParser(app: FastifyInstance, options: JsonBodyOptions): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    const scanned = scan(text, options.maxDepth);
    if (scanned.tooDeepAt >= 0) {
      const path = pathAt(text, scanned.tooDeepAt + 1);
      done(
        validationFailed(
          path === '' ? 'body' : path,
          `${path === '' ? 'body' : path} nests arrays and objects deeper than ${String(options.maxDepth)} levels`,
        ),
        undefined,
      );
      return;
    }
    void parse(request, text, (error, value: unknown) => {
      if (error === null) {
        const path = scanned.mayOverflow ? nonFinitePath(value) : undefined;
        if (path === undefined) done(null, value);
        else {
          const field = path === '' ? 'body' : path;
          done(
            validationFailed(field, `${field} must be a finite number (beyond the double range)`),
            undefined,
          );
        }
        return;
      }
      let path: string | undefined;
      try {
        path = poisonedPath(JSON.parse(text), '');
      } catch {
        path = undefined;
      }
      if (path === undefined) done(error, undefined);
      else done(validationFailed(path, `${path} is not an allowed property name`), undefined);
    });
  });
}
