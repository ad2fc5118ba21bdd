import type { Clock } from '../adapters/clock.js';
import { createLoginThrottle } from '../adapters/login-throttle.js';
import type { PasswordHasher } from '../adapters/password-hasher.js';
import { randomSecret } from '../adapters/random.js';
import { loadOrCreateSecret } from '../adapters/secrets.js';
import { createTokenSigner } from '../adapters/token-signer.js';
import type { Config } from '../config/env.js';
import type { Database } from '../db/database.js';
import type { Repositories, Transactor } from '../repositories/index.js';
import { AuthService } from '../services/auth.service.js';
import { DevicesService } from '../services/devices.service.js';
import { HealthService } from '../services/health.service.js';
import { UsersService } from '../services/users.service.js';

/** Identity: users and roles, sign-in and tokens, devices and their keys, health checks. */
export function createIdentity(o: {
  config: Config;
  clock: Clock;
  database: Database;
  repositories: Repositories;
  transactor: Transactor;
  hasher: PasswordHasher;
  /** Told of every device registered (MQTT partition sessions on other instances). */
  onDeviceRegistered?: ((deviceId: string) => void) | undefined;
}) {
  const { config, clock, repositories } = o;
  const jwtSecret =
    config.jwt.secret ??
    (config.nodeEnv === 'test'
      ? randomSecret(48)
      : loadOrCreateSecret(config.dataDir, 'jwt-secret'));
  const signer = createTokenSigner({
    secret: jwtSecret,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTtlSeconds,
    clock,
  });
  const throttle = createLoginThrottle({
    maxFailures: config.login.maxFailures,
    windowSeconds: config.login.lockoutSeconds,
    clock,
  });
  const devices = new DevicesService({
    devices: repositories.devices,
    users: repositories.users,
    clock,
    globalApiKey: config.apiKey,
    ...(o.onDeviceRegistered === undefined ? {} : { onRegistered: o.onDeviceRegistered }),
  });
  const users = new UsersService({
    users: repositories.users,
    refreshTokens: repositories.refreshTokens,
    hasher: o.hasher,
    clock,
    transactor: o.transactor,
  });
  users.onDeleted(() => {
    devices.forgetKeys();
    return Promise.resolve();
  });
  return {
    auth: new AuthService({
      users: repositories.users,
      devices: repositories.devices,
      refreshTokens: repositories.refreshTokens,
      hasher: o.hasher,
      signer,
      throttle,
      clock,
      refreshTtlSeconds: config.jwt.refreshTtlSeconds,
    }),
    users,
    devices,
    health: new HealthService({ health: repositories.health, dialect: o.database.dialect }),
  };
}

export type Identity = ReturnType<typeof createIdentity>;
