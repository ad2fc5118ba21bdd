import { DomainError } from '../../errors/catalogue.js';

/**
 * What a failure while reading a multipart body means for the client. A body that ends before
 * its closing boundary (a truncated upload) makes the parser throw a plain error ("Unexpected end
 * of form"), which would be a 500: it is the client's malformed body, 400 MALFORMED_REQUEST.
 * Domain errors and the parser's own 4xx errors (limits, with their status) pass unchanged.
 */
export function multipartReadError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error
      ? error.statusCode
      : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) return error;
  return new DomainError('MALFORMED_REQUEST', {
    message: `The multipart body is malformed or incomplete (${error instanceof Error ? error.message : 'unreadable'})`,
  });
}
