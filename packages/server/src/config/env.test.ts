import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvSchema, loadConfig } from './env.js';

describe('loadConfig', () => {
  it('gives safe development defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 8000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: './data',
      logLevel: 'info',
      corsOrigins: [],
      mqtt: { port: 1883, url: undefined, clientId: undefined },
      retention: { vitalsDays: 0, audioDays: 0, auditDays: 0 },
      demo: true,
    });
    expect(config.jwt).toMatchObject({
      accessTtlSeconds: 1800,
      issuer: 'vigil',
      audience: 'vigil-api',
    });
  });

  it("drops an idle device's ingest state after INGEST_IDLE_EVICT_S, 15 minutes by default", () => {
    expect(loadConfig({}).ingestIdleMs).toBe(900_000);
    expect(loadConfig({ INGEST_IDLE_EVICT_S: '120' }).ingestIdleMs).toBe(120_000);
    expect(() => loadConfig({ INGEST_IDLE_EVICT_S: '10' })).toThrow(/INGEST_IDLE_EVICT_S/);
  });

  it('derives the address other instances reach this one at from HOST and PORT, unless given', () => {
    expect(loadConfig({ HOST: '127.0.0.1', PORT: '9001' }).instanceUrl).toBe(
      'http://127.0.0.1:9001',
    );
    expect(loadConfig({ HOST: '::1', PORT: '9001' }).instanceUrl).toBe('http://[::1]:9001');
    // A wildcard listens everywhere: an address of this machine's, not the wildcard itself.
    expect(loadConfig({ PORT: '9001' }).instanceUrl).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:9001$/);
    expect(loadConfig({ PORT: '0' }).instanceUrl).toBeUndefined();
    expect(loadConfig({ VIGIL_INSTANCE_URL: 'http://vigil-2:8000/' }).instanceUrl).toBe(
      'http://vigil-2:8000',
    );
    expect(() => loadConfig({ VIGIL_INSTANCE_URL: 'http://vigil-2:8000/api' })).toThrow(
      /VIGIL_INSTANCE_URL/,
    );
    expect(loadConfig({ FORWARD_TO_OWNER: 'false' }).forwardToOwner).toBe(false);
    expect(loadConfig({}).forwardToOwner).toBe(true);
  });

  it('refuses a misspelled Vigil variable, naming it and the one meant', () => {
    expect(() => loadConfig({ DATABSE_URL: 'postgres://db/vigil' })).toThrow(
      'Invalid configuration: DATABSE_URL is not a Vigil variable: did you mean DATABASE_URL? (rename it, or unset it)',
    );
    expect(() => loadConfig({ database_url: 'postgres://db/vigil' })).toThrow(
      /database_url is not a Vigil variable: did you mean DATABASE_URL\?/,
    );
    expect(() => loadConfig({ VITALS_RETENTON_DAYS: '30' })).toThrow(
      /VITALS_RETENTON_DAYS is not a Vigil variable: did you mean VITALS_RETENTION_DAYS\?/,
    );
    expect(() => loadConfig({ PROT: '8200' })).toThrow(/did you mean PORT\?/);
    expect(() => loadConfig({ LOGLEVEL: 'debug' })).toThrow(/did you mean LOG_LEVEL\?/);
  });

  it("ignores other software's variables, even near a Vigil name", () => {
    const config = loadConfig({
      HOME: '/home/vigil',
      HOSTNAME: 'ward-3',
      MQTT_PASSWORD: 'for-mosquitto',
      POSTGRES_PASSWORD: 'for-postgres',
      PGPORT: '5432',
      // Another client's broker host: two letters from MQTT_PORT, but a whole word.
      MQTT_HOST: 'broker.local',
      TERM: 'xterm',
      npm_config_port: '1',
    });
    expect(config.port).toBe(8000);
    // A near name is not reported when the real one is set too.
    expect(loadConfig({ PORT: '8200', PROT: '1' }).port).toBe(8200);
  });

  it('converts numbers, booleans and lists from their string form', () => {
    const config = loadConfig({
      PORT: '9000',
      MQTT_PORT: '0',
      VIGIL_DEMO: 'false',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      ACCESS_TOKEN_EXPIRE_MINUTES: '5',
      VITALS_RETENTION_DAYS: '90',
      AUDIO_RETENTION_DAYS: '7',
    });
    expect(config.retention.vitalsDays).toBe(90);
    expect(config.retention.audioDays).toBe(7);
    expect(config.port).toBe(9000);
    expect(config.mqtt.port).toBe(0);
    expect(config.demo).toBe(false);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.jwt.accessTtlSeconds).toBe(300);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'x' }, 'ADMIN_EMAIL'],
    [{ ADMIN_EMAIL: 'a@example.test' }, 'ADMIN_PASSWORD'],
    [{ VIGIL_DEMO: 'maybe' }, 'VIGIL_DEMO'],
    [{ VITALS_RETENTION_DAYS: '-1' }, 'VITALS_RETENTION_DAYS'],
    [{ AUDIO_RETENTION_DAYS: '-1' }, 'AUDIO_RETENTION_DAYS'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('refuses production without a JWT secret or admin credentials', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET is required in production/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(
      /ADMIN_EMAIL is required in production/,
    );
  });

  it('never enables demo devices in production', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      ADMIN_EMAIL: 'admin@example.test',
      ADMIN_PASSWORD: 'a-strong-one-1',
      VIGIL_DEMO: 'true',
    });
    expect(config.demo).toBe(false);
    expect(config.isProduction).toBe(true);
  });

  it("refuses CORS_ORIGINS='*' in production", () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(40),
        ADMIN_EMAIL: 'admin@example.test',
        ADMIN_PASSWORD: 'a-strong-one-1',
        CORS_ORIGINS: '*',
      }),
    ).toThrow(/CORS_ORIGINS/);
  });

  it('reads MQTT_PARTITION_SESSIONS with an external broker only, on either database', () => {
    const both = { MQTT_URL: 'mqtt://127.0.0.1:1883', DATABASE_URL: 'postgres://db/vigil' };
    expect(loadConfig({ ...both, MQTT_PARTITION_SESSIONS: 'vigil' }).mqtt).toMatchObject({
      partitionSessions: 'vigil',
      sessionsPerPartition: 4,
    });
    expect(
      loadConfig({
        MQTT_URL: both.MQTT_URL,
        MQTT_PARTITION_SESSIONS: 'vigil',
        MQTT_SESSIONS_PER_PARTITION: '8',
      }).mqtt,
    ).toMatchObject({ partitionSessions: 'vigil', sessionsPerPartition: 8 });
    expect(() =>
      loadConfig({ DATABASE_URL: both.DATABASE_URL, MQTT_PARTITION_SESSIONS: 'vigil' }),
    ).toThrow(/MQTT_PARTITION_SESSIONS needs MQTT_URL/);
    expect(() => loadConfig({ ...both, MQTT_SESSIONS_PER_PARTITION: '0' })).toThrow(
      /MQTT_SESSIONS_PER_PARTITION/,
    );
    expect(() => loadConfig({ ...both, MQTT_SHARED_GROUP: 'vigil' })).toThrow(
      /MQTT_SHARED_GROUP is not read/,
    );
  });
});

describe('configuration documentation', () => {
  const readme = readFileSync(
    new URL('../../../../docs/configuration.md', import.meta.url),
    'utf8',
  );
  it.each(Object.keys(EnvSchema.properties))(
    'documents %s in docs/configuration.md',
    (variable) => {
      expect(readme).toContain(`\`${variable}\``);
    },
  );
});
