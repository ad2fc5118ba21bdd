import { describe, expect, it } from 'vitest';
import { createArgon2Hasher } from './password-hasher.js';

describe('argon2id password hasher', () => {
  it('hashes with argon2id and the OWASP parameters by default', async () => {
    const hasher = createArgon2Hasher();
    const hash = await hasher.hash('correct horse 1');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await hasher.verify(hash, 'correct horse 1')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse 2')).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const hasher = createArgon2Hasher({ memoryCost: 1024, timeCost: 1 });
    expect(await hasher.hash('same-1')).not.toBe(await hasher.hash('same-1'));
  });

  it('treats a malformed stored hash as a mismatch', async () => {
    expect(await createArgon2Hasher().verify('not-a-hash', 'x')).toBe(false);
  });
});
