import { errors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '../db/schema.js';
import type { Clock } from './clock.js';
import { newId } from './random.js';

export interface AccessClaims {
  sub: string;
  role: Role;
  email: string;
}

export type VerifyResult =
  { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' };

export interface AccessTokenSigner {
  sign(claims: AccessClaims): Promise<{ token: string; expiresIn: number }>;
  verify(token: string): Promise<VerifyResult>;
}

export interface TokenSignerOptions {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clock: Clock;
}

const ROLES = new Set<string>(['admin', 'doctor', 'patient']);

/**
 * HS256 JWTs (RFC 7519) with jose. The algorithm is pinned on verification, so `alg: none` and
 * algorithm-confusion tokens are refused (RFC 8725 §3.1); issuer, audience and expiry are checked
 * against the injected clock.
 */
export function createTokenSigner(options: TokenSignerOptions): AccessTokenSigner {
  const key = new TextEncoder().encode(options.secret);
  return {
    async sign(claims) {
      const now = Math.floor(options.clock.now() / 1000);
      const token = await new SignJWT({ role: claims.role, email: claims.email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + options.ttlSeconds)
        .setJti(newId())
        .sign(key);
      return { token, expiresIn: options.ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: options.issuer,
          audience: options.audience,
          currentDate: new Date(options.clock.now()),
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const { sub, role, email } = payload;
        if (typeof sub !== 'string' || typeof role !== 'string' || !ROLES.has(role))
          return { ok: false, reason: 'invalid' };
        if (typeof email !== 'string') return { ok: false, reason: 'invalid' };
        return { ok: true, claims: { sub, role: role as Role, email } };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}
