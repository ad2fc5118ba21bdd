import type { Clock } from '../adapters/clock.js';
import type { LoginThrottle } from '../adapters/login-throttle.js';
import type { PasswordHasher } from '../adapters/password-hasher.js';
import { newId, randomSecret, sha256 } from '../adapters/random.js';
import type { AccessTokenSigner } from '../adapters/token-signer.js';
import { DomainError } from '../errors/catalogue.js';
import type { DevicesRepository } from '../repositories/devices.repository.js';
import type { RefreshTokensRepository } from '../repositories/refresh-tokens.repository.js';
import type { UserRow, UsersRepository } from '../repositories/users.repository.js';
import { assertPasswordStrength, normaliseEmail } from './password-policy.js';
import { toUserView, type AuthUser, type HealthProfile, type UserView } from './user-view.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  user: UserView;
}

/** Most device ids /auth/me lists (a patient has a few; an admin's full list is GET /devices). */
const MAX_ME_DEVICES = 500;

export interface AuthServiceDeps {
  users: UsersRepository;
  /** The devices a user may see, for `device_ids` of /auth/me (the cardiac-monitor app reads it). */
  devices: Pick<DevicesRepository, 'listVisible'>;
  refreshTokens: RefreshTokensRepository;
  hasher: PasswordHasher;
  signer: AccessTokenSigner;
  throttle: LoginThrottle;
  clock: Clock;
  refreshTtlSeconds: number;
}

export class AuthService {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: AuthServiceDeps) {}

  /** Public registration: always a patient, without a doctor until one adopts them. */
  async register(input: { email: string; password: string; name: string }): Promise<TokenResponse> {
    const email = normaliseEmail(input.email);
    assertPasswordStrength(input.password, email);
    const now = this.deps.clock.now();
    const row: UserRow = {
      id: newId(),
      email,
      name: input.name.trim(),
      role: 'patient',
      password_hash: await this.deps.hasher.hash(input.password),
      doctor_id: null,
      health_profile: null,
      created_at: now,
      updated_at: now,
    };
    if (!(await this.deps.users.insert(row)))
      throw new DomainError('EMAIL_TAKEN', { field: 'email' });
    return this.issueTokens(row, newId());
  }

  /**
   * Password sign-in. A per-account throttle answers 429 before the password is even checked;
   * unknown emails cost the same hash verification as known ones, so timing reveals nothing.
   */
  async login(emailInput: string, password: string): Promise<TokenResponse> {
    const email = normaliseEmail(emailInput);
    const wait = this.deps.throttle.retryAfter(email);
    if (wait > 0) throw new DomainError('LOGIN_LOCKED', { retryAfterSeconds: wait });
    const user = await this.deps.users.findByEmail(email);
    const hash = user?.password_hash ?? (await this.getDummyHash());
    const ok = await this.deps.hasher.verify(hash, password);
    if (user === undefined || !ok) {
      this.deps.throttle.recordFailure(email);
      throw new DomainError('INVALID_CREDENTIALS');
    }
    this.deps.throttle.reset(email);
    return this.issueTokens(user, newId());
  }

  /**
   * Refresh-token rotation with reuse detection (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): each
   * token works once; presenting a used one revokes its whole family, since either the client or
   * a thief holds a copy.
   */
  async refresh(token: string): Promise<TokenResponse> {
    const now = this.deps.clock.now();
    const stored = await this.deps.refreshTokens.findByHash(sha256(token));
    if (stored === undefined)
      throw new DomainError('REFRESH_TOKEN_INVALID', { field: 'refresh_token' });
    if (stored.revoked_at !== null) {
      await this.deps.refreshTokens.revokeFamily(stored.family_id, now);
      throw new DomainError('REFRESH_TOKEN_INVALID', { field: 'refresh_token' });
    }
    if (stored.expires_at <= now)
      throw new DomainError('REFRESH_TOKEN_INVALID', { field: 'refresh_token' });
    if (!(await this.deps.refreshTokens.consume(stored.id, now))) {
      await this.deps.refreshTokens.revokeFamily(stored.family_id, now);
      throw new DomainError('REFRESH_TOKEN_INVALID', { field: 'refresh_token' });
    }
    const user = await this.deps.users.findById(stored.user_id);
    if (user === undefined)
      throw new DomainError('REFRESH_TOKEN_INVALID', { field: 'refresh_token' });
    return this.issueTokens(user, stored.family_id);
  }

  /** Revokes the refresh token's family (sign-out on this client). Unknown tokens are ignored. */
  async logout(token: string): Promise<void> {
    const stored = await this.deps.refreshTokens.findByHash(sha256(token));
    if (stored !== undefined)
      await this.deps.refreshTokens.revokeFamily(stored.family_id, this.deps.clock.now());
  }

  /**
   * Verifies a bearer token and loads its user, so a deleted account or a changed role takes
   * effect at once rather than when the token expires.
   */
  async authenticate(token: string): Promise<AuthUser> {
    const result = await this.deps.signer.verify(token);
    if (!result.ok)
      throw new DomainError(result.reason === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
    const user = await this.deps.users.findById(result.claims.sub);
    if (user === undefined) throw new DomainError('TOKEN_INVALID');
    return { id: user.id, role: user.role, email: user.email };
  }

  async me(user: AuthUser): Promise<UserView & { device_ids: string[] }> {
    const row = await this.deps.users.findById(user.id);
    if (row === undefined) throw new DomainError('UNAUTHENTICATED');
    const devices = await this.deps.devices.listVisible(user, { limit: MAX_ME_DEVICES, offset: 0 });
    return { ...toUserView(row), device_ids: devices.map((d) => d.device_id) };
  }

  async updateProfile(
    user: AuthUser,
    patch: { name?: string | undefined; health_profile?: HealthProfile | null | undefined },
  ): Promise<UserView & { device_ids: string[] }> {
    const changes: { name?: string; health_profile?: string | null; updated_at: number } = {
      updated_at: this.deps.clock.now(),
    };
    if (patch.name !== undefined) changes.name = patch.name.trim();
    if (patch.health_profile !== undefined)
      changes.health_profile =
        patch.health_profile === null ? null : JSON.stringify(patch.health_profile);
    await this.deps.users.update(user.id, changes);
    return this.me(user);
  }

  /**
   * Ensures the configured admin exists (start-up). Returns 'created' the first time. An existing
   * account keeps its password: the environment seeds the admin, it does not reset it.
   */
  async bootstrapAdmin(emailInput: string, password: string): Promise<'created' | 'exists'> {
    const email = normaliseEmail(emailInput);
    const existing = await this.deps.users.findByEmail(email);
    if (existing !== undefined) {
      if (existing.role !== 'admin')
        throw new Error(`ADMIN_EMAIL ${email} belongs to an existing ${existing.role} account`);
      return 'exists';
    }
    assertPasswordStrength(password, email, 'ADMIN_PASSWORD');
    const now = this.deps.clock.now();
    const inserted = await this.deps.users.insert({
      id: newId(),
      email,
      name: 'Administrator',
      role: 'admin',
      password_hash: await this.deps.hasher.hash(password),
      doctor_id: null,
      health_profile: null,
      created_at: now,
      updated_at: now,
    });
    return inserted ? 'created' : 'exists';
  }

  /** Whether the password is (still) the account's, without signing in or touching throttles. */
  async passwordMatches(emailInput: string, password: string): Promise<boolean> {
    const user = await this.deps.users.findByEmail(normaliseEmail(emailInput));
    return user !== undefined && (await this.deps.hasher.verify(user.password_hash, password));
  }

  /** Access + refresh tokens for a user (also used by test builders to skip the HTTP login). */
  async issueTokens(user: UserRow, familyId: string): Promise<TokenResponse> {
    const now = this.deps.clock.now();
    const { token, expiresIn } = await this.deps.signer.sign({
      sub: user.id,
      role: user.role,
      email: user.email,
    });
    const refresh = randomSecret(32);
    await this.deps.refreshTokens.insert({
      id: newId(),
      user_id: user.id,
      token_hash: sha256(refresh),
      family_id: familyId,
      created_at: now,
      expires_at: now + this.deps.refreshTtlSeconds * 1000,
      revoked_at: null,
    });
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: expiresIn,
      refresh_token: refresh,
      user: toUserView(user),
    };
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash(randomSecret(16));
    return this.dummyHash;
  }
}
