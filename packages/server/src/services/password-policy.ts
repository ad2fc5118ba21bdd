import { DomainError } from '../errors/catalogue.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * Length first (NIST SP 800-63B §5.1.1.2: at least 8 characters, long passphrases allowed), plus
 * a letter and a digit, and not the email itself. Throws WEAK_PASSWORD naming the broken rule.
 */
export function assertPasswordStrength(password: string, email: string, field = 'password'): void {
  const weak = (message: string) => new DomainError('WEAK_PASSWORD', { field, message });
  const length = codePoints(password);
  if (length < PASSWORD_MIN_LENGTH)
    throw weak(`${field} must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (length > PASSWORD_MAX_LENGTH)
    throw weak(`${field} must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  if (!/\p{L}/u.test(password) || !/\p{N}/u.test(password))
    throw weak(`${field} must contain at least one letter and one digit`);
  if (password.toLowerCase() === email.toLowerCase())
    throw weak(`${field} must not be the same as the email`);
}

/** Characters as people count them (code points, so an emoji is one, not two UTF-16 units). */
function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
