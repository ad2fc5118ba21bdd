import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** Random identifiers and secrets, and the one-way hash used for high-entropy tokens. */
export function newId(): string {
  return randomUUID();
}

/** URL-safe random secret of `bytes` bytes of entropy (256 bits by default). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 hex digest. Enough for API keys and refresh tokens: they carry 256 random bits, so a
 * slow password hash would add latency to every device request without adding security.
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** SHA-256 hex digest of bytes: identifies a message by its exact content. */
export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Compares two secrets in constant time (by digest, so lengths may differ). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(a).digest(),
    createHash('sha256').update(b).digest(),
  );
}

/** A readable random password for generated accounts: 20 characters, letters and digits. */
export function randomPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += alphabet.charAt(b % alphabet.length);
  // Guarantee the password policy (a letter and a digit) whatever the draw.
  return `${out}7a`;
}
