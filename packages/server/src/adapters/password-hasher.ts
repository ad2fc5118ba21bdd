import argon2 from 'argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface Argon2Options {
  /** KiB of memory per hash. Default 19456 (19 MiB), the OWASP Password Storage minimum for argon2id. */
  memoryCost?: number;
  /** Iterations. Default 2 (OWASP, with 19 MiB). */
  timeCost?: number;
  /** Lanes. Default 1. */
  parallelism?: number;
}

/** argon2id (RFC 9106) with OWASP's recommended parameters unless told otherwise. */
export function createArgon2Hasher(options: Argon2Options = {}): PasswordHasher {
  const params = {
    type: argon2.argon2id as 0 | 1 | 2,
    memoryCost: options.memoryCost ?? 19_456,
    timeCost: options.timeCost ?? 2,
    parallelism: options.parallelism ?? 1,
  };
  return {
    hash: (password) => argon2.hash(password, params),
    async verify(hash, password) {
      try {
        return await argon2.verify(hash, password);
      } catch {
        // A malformed stored hash is a failed match, not a crash.
        return false;
      }
    },
  };
}
