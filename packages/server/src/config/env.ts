import { isIP } from 'node:net';
import { availableParallelism, hostname, networkInterfaces } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/**
 * The environment as the server reads it: one schema gives the type, the validation and the
 * README's configuration table. Variables are strings in the environment; `Value.Convert` turns
 * "8000" into 8000 and "false" into false before the check.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union(
    [Type.Literal('development'), Type.Literal('production'), Type.Literal('test')],
    { default: 'development' },
  ),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  VIGIL_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'vigil' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'vigil-api' }),
  ACCESS_TOKEN_EXPIRE_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 30 }),
  REFRESH_TOKEN_EXPIRE_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  API_KEY: Type.Optional(Type.String({ minLength: 16 })),
  CORS_ORIGINS: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({ default: 'false' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  LOGIN_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 20 }),
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_LOCKOUT_MINUTES: Type.Integer({ minimum: 1, default: 15 }),
  MQTT_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
  MQTT_URL: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?|tcp)://' })),
  MQTT_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  MQTT_PARTITION_SESSIONS: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,60}$',
      description:
        'With MQTT_URL: persistent sessions per device partition (MQTT_SESSIONS_PER_PARTITION each), client ids <value>-p00…<value>-p31-s3, held by the partition owner (several instances on PostgreSQL; a single instance holds them all); the same value on every instance',
    }),
  ),
  MQTT_SESSIONS_PER_PARTITION: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 4,
    description:
      "With MQTT_PARTITION_SESSIONS: persistent sessions per device partition, each with its share of the partition's devices (a session carries one message per ingest latency); the same value on every instance",
  }),
  MQTT_POISON_ATTEMPTS: Type.Integer({
    minimum: 1,
    default: 5,
    description:
      'Failed ingestions (5xx or an exception) of the same MQTT message (topic and payload bytes) before Vigil stores it in mqtt_dead_letters and acknowledges it, so a message that fails deterministically stops blocking its session; while the database refuses that insert too (an outage) the message stays unacknowledged',
  }),
  ANALYSIS_WORKERS: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
  VITALS_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 36_500,
    default: 0,
    description:
      'Days of patient measurements kept (0: forever), every kind: ECG packets with their predictions and rollup, pulse-oximetry and baby-monitor readings with their audio, camera heart-rate observations and ended sessions, 12-lead requests with their results, MQTT dead letters; alerts, alert events and reports are kept',
  }),
  AUDIO_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 36_500,
    default: 0,
    description:
      'Days of baby-monitor audio clips kept (0: as long as their reading, VITALS_RETENTION_DAYS); older readings keep their values and cry verdict without the clip',
  }),
  AUDIT_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 36_500,
    default: 0,
    description: 'Days of audit events kept (0: forever); separate from VITALS_RETENTION_DAYS',
  }),
  VIGIL_DEMO: Type.Optional(Type.Boolean()),
  VIGIL_INSTANCE_NAME: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        'Names this instance among several on one PostgreSQL (cluster job log, lease connection); default <host>-<pid>',
    }),
  ),
  VIGIL_INSTANCE_URL: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s/]+/?$',
      description:
        'Several instances on one PostgreSQL: the base URL other instances reach this one at (uploads of the devices it analyses are handed to it); default http://<HOST, or the first non-loopback IPv4 address when HOST is a wildcard>:<PORT>',
    }),
  ),
  FORWARD_TO_OWNER: Type.Boolean({
    default: true,
    description:
      "Several instances on one PostgreSQL: hand an upload that reaches an instance other than its device's owner to the owner over HTTP (false: store it here and notify the owner)",
  }),
  DEVICE_SILENT_SWEEP_S: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 30,
    description: 'Period of the device-silent sweep (cluster-wide job, run by one instance)',
  }),
  INGEST_IDLE_EVICT_S: Type.Integer({
    minimum: 60,
    maximum: 86_400,
    default: 900,
    description:
      "Seconds without a reading after which a device's in-memory ingest state (packet order, stream analysis, a 12-lead window) is dropped; its next reading starts as after a restart",
  }),
  ECG12_ANONYMOUS: Type.Boolean({
    default: false,
    description:
      'true lets callers without a token classify 12-lead ECGs (history records them as anonymous)',
  }),
  BODY_LIMIT_KIB: Type.Integer({ minimum: 1, maximum: 1024 * 1024, default: 8192 }),
  AUTH_BODY_LIMIT_KIB: Type.Integer({ minimum: 1, maximum: 1024, default: 16 }),
  JSON_MAX_DEPTH: Type.Integer({ minimum: 2, maximum: 1000, default: 32 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  CONNECTION_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 120_000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 72_000 }),
  MAX_CONNECTIONS: Type.Integer({ minimum: 0, default: 1024 }),
  WS_MAX_BUFFERED_KIB: Type.Integer({ minimum: 16, maximum: 1024 * 1024, default: 4096 }),
  MAX_IN_FLIGHT_REQUESTS: Type.Integer({ minimum: 0, default: 256 }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Optional(Type.Integer({ minimum: 0 })),
  MAX_QUEUE_WAIT_MS: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
  MAX_HEAP_USED_MB: Type.Optional(Type.Integer({ minimum: 0 })),
  ECG12_LIVE_INTERVAL_S: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 10,
    description:
      'How often (stream seconds) a 12-lead device stream is interpreted on its latest 10 s (real-time MI)',
  }),
  ECG12_MODEL_PATH: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A trained 12-lead model (npm run train:ecg12) loaded at start',
    }),
  ),
  RPPG_CAMERA_SOURCE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Bedside camera: /dev/videoN, rtsp://…, http(s)://… or a video file',
    }),
  ),
  RPPG_CAMERA_PATIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  RPPG_CAMERA_KEY: Type.Optional(Type.String({ minLength: 16 })),
  RPPG_CAMERA_ALLOWED_NETWORKS: Type.String({ default: '' }),
  RPPG_CAMERA_FPS: Type.Integer({ minimum: 8, maximum: 60, default: 20 }),
  RPPG_CAMERA_LOOP: Type.Boolean({ default: true }),
});
export type Env = Static<typeof EnvSchema>;

export type NodeEnv = Env['NODE_ENV'];
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  port: number;
  host: string;
  /** PostgreSQL connection string; absent means the embedded SQLite database. */
  databaseUrl: string | undefined;
  dataDir: string;
  jwt: {
    /** Absent only outside production: the composition root then generates and persists one. */
    secret: string | undefined;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  admin: { email: string | undefined; password: string | undefined };
  /** Global device key of seed 000, accepted for devices registered beforehand. */
  apiKey: string | undefined;
  corsOrigins: string[];
  /**
   * Fastify `trustProxy`: false (default), true, or a comma-separated list of proxy
   * addresses/CIDRs. Needed behind a reverse proxy so rate limits see client IPs.
   */
  trustProxy: boolean | string;
  logLevel: LogLevel;
  login: { ratePerMinutePerIp: number; maxFailures: number; lockoutSeconds: number };
  /** `clientId`: of the persistent session on an external broker (default vigil-<host name>). */
  mqtt: {
    port: number;
    url: string | undefined;
    clientId: string | undefined;
    /**
     * MQTT_PARTITION_SESSIONS: base client id of the device partitions' sessions on an external
     * broker (held by the partitions' owners; all of them on a single instance); undefined: one
     * session for this instance (`clientId`).
     */
    partitionSessions: string | undefined;
    /** MQTT_SESSIONS_PER_PARTITION: sessions per device partition (default 4). */
    sessionsPerPartition: number;
    /** MQTT_POISON_ATTEMPTS: failures of one message before it is dead-lettered (default 5). */
    poisonAttempts: number;
  };
  /**
   * Days of vitals (packets, ECG, predictions, rollup) kept; 0 keeps them forever. Alerts and
   * events are never deleted.
   */
  /** This instance's name among several on one PostgreSQL (VIGIL_INSTANCE_NAME). */
  instanceName: string;
  /**
   * Where other instances reach this one (VIGIL_INSTANCE_URL, or derived from HOST and PORT);
   * undefined when PORT is 0 (chosen at listen time).
   */
  instanceUrl: string | undefined;
  /** Hand uploads to their device's owner instance (FORWARD_TO_OWNER). */
  forwardToOwner: boolean;
  /** Period of the device-silent sweep, ms (DEVICE_SILENT_SWEEP_S). */
  silentSweepMs: number;
  /** Idle time after which a device's ingest state is dropped, ms (INGEST_IDLE_EVICT_S). */
  ingestIdleMs: number;
  retention: {
    /** Days of every kind of measurement kept (VITALS_RETENTION_DAYS); 0 keeps them all. */
    vitalsDays: number;
    /** Days of baby-monitor audio clips kept (AUDIO_RETENTION_DAYS); 0: as their readings. */
    audioDays: number;
    /**
     * Days of audit events kept; 0 keeps them forever. Separate from the data's: the trail of
     * who saw a patient's data outlives the data (HIPAA keeps such records six years).
     */
    auditDays: number;
  };
  /**
   * Worker threads for the live ECG analysis; 0 analyses on the main thread. Default: one fewer
   * than the machine's cores (the main thread keeps one for HTTP and the database), at most 4;
   * 0 on a single core and in tests.
   */
  analysisWorkers: number;
  demo: boolean;
  /**
   * 12-lead ECG classification: `anonymous` lets callers without a token classify (seed 003's
   * public /forward); `modelPath` a trained model file loaded at start (else the criteria).
   */
  ecg12: { anonymous: boolean; modelPath: string | undefined; liveIntervalMs: number };
  /** Bedside camera (camera heart rate, seed 001's root paths); undefined when not configured. */
  rppgCamera:
    | {
        source: string;
        patientId: string;
        /** Accepted from any address as `X-Camera-Key` or `?key=`. */
        key: string | undefined;
        /** Addresses or CIDRs allowed without the key, besides loopback. */
        allowedNetworks: string[];
        fps: number;
        /** File sources: start again at the end. */
        loop: boolean;
      }
    | undefined;
  /** Request limits and load shedding (docs/configuration.md, "Limits"). 0 disables a cap. */
  limits: Limits;
}

export interface Limits {
  /** Default body limit of a route, bytes (ingest and 12-lead routes declare larger ones). */
  bodyBytes: number;
  /** Body limit of /api/v1/auth/*, bytes. */
  authBodyBytes: number;
  /** Deepest nesting of arrays/objects in a JSON body. */
  jsonMaxDepth: number;
  /** Time to receive a whole request (headers and body); then 408 and the socket is closed. */
  requestTimeoutMs: number;
  /** A socket with no activity for this long is closed. */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Open sockets accepted; further ones are closed at once. */
  maxConnections: number;
  /** A WebSocket whose unsent bytes pass this is dropped (a client that does not read), bytes. */
  wsMaxBufferedBytes: number;
  /** Requests handled at once; more get 503 SERVER_OVERLOADED with Retry-After. */
  maxInFlight: number;
  /** Mean event-loop delay over which requests get 503 SERVER_OVERLOADED. */
  maxEventLoopDelayMs: number;
  /**
   * A request that has waited this long since it arrived before its work starts (a device's
   * upload: its turn to be analysed and stored) gets 503 SERVER_OVERLOADED, ms; 0 = no limit.
   */
  maxQueueWaitMs: number;
  /** V8 heap in use over which requests get 503 SERVER_OVERLOADED, bytes. */
  maxHeapUsedBytes: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

const check = Compile(EnvSchema);
const keys = Object.keys(EnvSchema.properties);

function parseTrustProxy(value: string): boolean | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Edit distance with adjacent transpositions counting one (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  // Row-major (a.length + 1) × (b.length + 1) table; at(i, j) is the distance of the prefixes.
  const d = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * A variable that is not Vigil's but nearly spells one that is unset (`DATABSE_URL`,
 * `database_url`, `VITALS_RETENTON_DAYS`): the operator meant it, and ignoring it would start a
 * different server than configured (SQLite instead of PostgreSQL, data kept for ever). Near is
 * one edit (a letter wrong, missing, added or two swapped) for names under 8 characters, two for
 * longer ones, ignoring case, all of it inside one word (`_`-separated) and at most a quarter of
 * that word (one edit in a word under 8 letters), or only underscores apart (`LOGLEVEL`).
 * Farther names are other software's and pass: HOME, HOSTNAME, MQTT_PASSWORD for Mosquitto, and
 * MQTT_HOST, two letters from MQTT_PORT but a whole word apart (the common name of another
 * client's broker setting, which must not stop Vigil with "did you mean MQTT_PORT?").
 */
/** Whether `given` (upper-cased) is a slip of the pen for `meant` (see misspelledVariable). */
function nearName(given: string, meant: string): boolean {
  if (given.replaceAll('_', '') === meant.replaceAll('_', '')) return true;
  const limit = meant.length < 8 ? 1 : 2;
  if (Math.abs(meant.length - given.length) > limit || editDistance(given, meant) > limit)
    return false;
  const givenWords = given.split('_');
  const meantWords = meant.split('_');
  if (givenWords.length !== meantWords.length) return false;
  const differing = meantWords.flatMap((word, i) => (word === givenWords[i] ? [] : [i]));
  const [i] = differing;
  if (differing.length !== 1 || i === undefined) return false;
  const word = meantWords[i] ?? '';
  return editDistance(givenWords[i] ?? '', word) <= Math.max(1, Math.floor(word.length / 4));
}

function misspelledVariable(
  env: Record<string, string | undefined>,
): { given: string; meant: string } | undefined {
  for (const given of Object.keys(env)) {
    if (keys.includes(given) || given.startsWith('npm_') || env[given] === undefined) continue;
    const upper = given.toUpperCase();
    for (const meant of keys) {
      if (env[meant] !== undefined) continue;
      if (nearName(upper, meant)) return { given, meant };
    }
  }
  return undefined;
}

/** Reads and validates the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const misspelled = misspelledVariable(env);
  if (misspelled !== undefined)
    throw new ConfigError(
      misspelled.given,
      `is not a Vigil variable: did you mean ${misspelled.meant}? (rename it, or unset it)`,
    );
  const raw: Record<string, unknown> = {};
  for (const key of keys) {
    const value = env[key];
    // An empty variable (`FOO=`) means "not set", the shell convention for optional settings.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  if (!check.Check(converted)) {
    const [first] = check.Errors(converted);
    const variable = first?.instancePath.replace(/^\//, '') ?? '';
    throw new ConfigError(
      variable === '' ? 'environment' : variable,
      `${first?.message ?? 'is invalid'} (got ${JSON.stringify(variable === '' ? undefined : raw[variable])})`,
    );
  }
  const e = converted;
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction) {
    if (e.JWT_SECRET === undefined)
      throw new ConfigError('JWT_SECRET', 'is required in production');
    if (e.ADMIN_EMAIL === undefined)
      throw new ConfigError('ADMIN_EMAIL', 'is required in production (no default admin)');
    if (e.ADMIN_PASSWORD === undefined)
      throw new ConfigError('ADMIN_PASSWORD', 'is required in production (no default admin)');
  }
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    const missing = e.ADMIN_EMAIL === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD';
    throw new ConfigError(missing, 'must be set together with its pair');
  }
  if (e.MQTT_PARTITION_SESSIONS !== undefined && e.MQTT_URL === undefined)
    throw new ConfigError('MQTT_PARTITION_SESSIONS', 'needs MQTT_URL (an external broker)');
  if (env.MQTT_SHARED_GROUP !== undefined && env.MQTT_SHARED_GROUP !== '')
    throw new ConfigError(
      'MQTT_SHARED_GROUP',
      'is not read: instances share an external broker through MQTT_PARTITION_SESSIONS (docs/scaling.md)',
    );
  if (e.RPPG_CAMERA_SOURCE !== undefined && e.RPPG_CAMERA_PATIENT_ID === undefined)
    throw new ConfigError('RPPG_CAMERA_PATIENT_ID', 'is required with RPPG_CAMERA_SOURCE');
  for (const net of e.RPPG_CAMERA_ALLOWED_NETWORKS.split(',').map((n) => n.trim()))
    if (net !== '' && parseNetwork(net) === null)
      throw new ConfigError('RPPG_CAMERA_ALLOWED_NETWORKS', `${net} is not an address or CIDR`);
  const corsOrigins = e.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  if (isProduction && corsOrigins.includes('*'))
    throw new ConfigError('CORS_ORIGINS', "must list origins in production, not '*'");
  return {
    nodeEnv: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.VIGIL_DATA_DIR,
    jwt: {
      secret: e.JWT_SECRET,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      refreshTtlSeconds: e.REFRESH_TOKEN_EXPIRE_DAYS * 86_400,
    },
    admin: { email: e.ADMIN_EMAIL?.toLowerCase(), password: e.ADMIN_PASSWORD },
    apiKey: e.API_KEY,
    corsOrigins,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    login: {
      ratePerMinutePerIp: e.LOGIN_RATE_LIMIT_PER_MINUTE,
      maxFailures: e.LOGIN_MAX_FAILURES,
      lockoutSeconds: e.LOGIN_LOCKOUT_MINUTES * 60,
    },
    mqtt: {
      port: e.MQTT_PORT,
      url: e.MQTT_URL,
      clientId: e.MQTT_CLIENT_ID,
      partitionSessions: e.MQTT_PARTITION_SESSIONS,
      sessionsPerPartition: e.MQTT_SESSIONS_PER_PARTITION,
      poisonAttempts: e.MQTT_POISON_ATTEMPTS,
    },
    retention: {
      vitalsDays: e.VITALS_RETENTION_DAYS,
      audioDays: e.AUDIO_RETENTION_DAYS,
      auditDays: e.AUDIT_RETENTION_DAYS,
    },
    instanceName: e.VIGIL_INSTANCE_NAME ?? `${hostname()}-${String(process.pid)}`,
    instanceUrl: e.VIGIL_INSTANCE_URL?.replace(/\/$/, '') ?? defaultInstanceUrl(e.HOST, e.PORT),
    forwardToOwner: e.FORWARD_TO_OWNER,
    silentSweepMs: e.DEVICE_SILENT_SWEEP_S * 1000,
    ingestIdleMs: e.INGEST_IDLE_EVICT_S * 1000,
    analysisWorkers:
      e.ANALYSIS_WORKERS ??
      (e.NODE_ENV === 'test' ? 0 : Math.min(4, Math.max(0, availableParallelism() - 1))),
    // Demo devices help a first run; production never fabricates data.
    demo: isProduction ? false : (e.VIGIL_DEMO ?? e.NODE_ENV === 'development'),
    ecg12: {
      anonymous: e.ECG12_ANONYMOUS,
      modelPath: e.ECG12_MODEL_PATH,
      liveIntervalMs: e.ECG12_LIVE_INTERVAL_S * 1000,
    },
    rppgCamera:
      e.RPPG_CAMERA_SOURCE === undefined
        ? undefined
        : {
            source: e.RPPG_CAMERA_SOURCE,
            patientId: e.RPPG_CAMERA_PATIENT_ID ?? '',
            key: e.RPPG_CAMERA_KEY,
            allowedNetworks: e.RPPG_CAMERA_ALLOWED_NETWORKS.split(',')
              .map((n) => n.trim())
              .filter((n) => n !== ''),
            fps: e.RPPG_CAMERA_FPS,
            loop: e.RPPG_CAMERA_LOOP,
          },
    limits: {
      bodyBytes: e.BODY_LIMIT_KIB * 1024,
      authBodyBytes: e.AUTH_BODY_LIMIT_KIB * 1024,
      jsonMaxDepth: e.JSON_MAX_DEPTH,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      connectionTimeoutMs: e.CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
      wsMaxBufferedBytes: e.WS_MAX_BUFFERED_KIB * 1024,
      maxInFlight: e.MAX_IN_FLIGHT_REQUESTS,
      // Off in tests: test files share a loaded machine, where a lagging loop is not overload.
      maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS ?? (e.NODE_ENV === 'test' ? 0 : 1000),
      // Off in tests for the same reason.
      maxQueueWaitMs: e.MAX_QUEUE_WAIT_MS ?? (e.NODE_ENV === 'test' ? 0 : 2000),
      // Default: 90 % of V8's heap limit, where the next allocations would end in an OOM crash.
      maxHeapUsedBytes:
        e.MAX_HEAP_USED_MB === undefined
          ? Math.floor(0.9 * getHeapStatistics().heap_size_limit)
          : e.MAX_HEAP_USED_MB * 1024 * 1024,
    },
  };
}

/** An address or CIDR (`192.168.1.0/24`, `fd00::/8`, `10.0.0.7`); null when it is neither. */
export function parseNetwork(
  text: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText] = text.split('/');
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The address other instances reach this one at, from where it listens: the host itself, or for
 * a wildcard (0.0.0.0, ::) the first non-loopback IPv4 address (a container's address on its
 * network), else loopback. Unknown when the port is chosen at listen time (0).
 */
function defaultInstanceUrl(host: string, port: number): string | undefined {
  if (port === 0) return undefined;
  let address = host;
  if (host === '0.0.0.0' || host === '::' || host === '') {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    address = external?.address ?? '127.0.0.1';
  }
  return `http://${isIP(address) === 6 ? `[${address}]` : address}:${String(port)}`;
}
