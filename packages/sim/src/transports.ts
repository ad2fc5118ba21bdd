import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import mqtt, { type MqttClient } from 'mqtt';
import type { VitalsPacket } from './vitals-packet.js';

/** Identity a device sends with: its hardware id and its API key. */
export interface DeviceCredentials {
  deviceId: string;
  apiKey: string;
}

/** A failed send, classified for the run summary (`http_409`, `timeout`, `connection`, ...). */
export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    readonly kind: string,
    message: string,
    /** The server's Retry-After (503 SERVER_OVERLOADED, 429), in ms; undefined without one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * A Retry-After header in ms: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when
 * absent or unreadable.
 */
export function parseRetryAfterMs(
  value: string | string[] | undefined,
  nowMs = Date.now(),
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export interface PacketTransport {
  /**
   * Resolves once the server accepted the packet (HTTP 2xx, MQTT PUBACK); rejects with
   * SendError. `body` is the packet's JSON when the caller has it already (load generation).
   */
  send(device: DeviceCredentials, packet: VitalsPacket, body?: string): Promise<void>;
  close(): Promise<void>;
}

export interface HttpTransportOptions {
  /** Server base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Path of the ingest endpoint. Default `/api/v1/vitals`. */
  path?: string;
  /** Keep-alive sockets at most (one per device is what firmware does). Default 256. */
  maxSockets?: number;
  /** Request timeout in ms. Default 10 000. */
  timeoutMs?: number;
}

/** Classifies socket errors the way a load tool reports them. */
function connectionKind(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection_reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return `connection_${error.code ?? 'error'}`;
  }
}

/**
 * POSTs each packet as JSON with `X-API-Key`, over keep-alive connections (node:http with a
 * pooled agent: no per-request TCP handshake, as a firmware's persistent connection). A non-2xx
 * answer becomes `http_<status>` plus the server's error `code` when it sends one.
 */
export function createHttpTransport(options: HttpTransportOptions): PacketTransport {
  const url = new URL(options.path ?? '/api/v1/vitals', options.baseUrl);
  const secure = url.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256 };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const request = secure ? httpsRequest : httpRequest;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    send(device, packet, json) {
      const body = json ?? JSON.stringify(packet);
      return new Promise<void>((resolvePromise, rejectPromise) => {
        // A deadline for the whole exchange (socket idle timeouts restart on every byte and on
        // a queued connection never start), so a send never outlives `timeoutMs`.
        const deadline = setTimeout(() => {
          req.destroy(new SendError('timeout', `no answer in ${timeoutMs} ms`));
        }, timeoutMs);
        const resolve = (): void => {
          clearTimeout(deadline);
          resolvePromise();
        };
        const reject = (error: SendError): void => {
          clearTimeout(deadline);
          rejectPromise(error);
        };
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'x-api-key': device.apiKey,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', (error) => {
              reject(new SendError('connection_reset', error.message));
            });
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              if (status >= 200 && status < 300) {
                resolve();
                return;
              }
              let code = '';
              try {
                const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                  code?: unknown;
                };
                if (typeof parsed.code === 'string') code = ` ${parsed.code}`;
              } catch {
                // Not JSON: the status alone classifies it.
              }
              reject(
                new SendError(
                  `http_${status}${code}`,
                  `HTTP ${status}${code}`,
                  status === 503 || status === 429
                    ? parseRetryAfterMs(res.headers['retry-after'])
                    : undefined,
                ),
              );
            });
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) => {
          reject(
            error instanceof SendError
              ? error
              : new SendError(connectionKind(error), error.message),
          );
        });
        req.end(body);
      });
    },
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}

export interface MqttTransportOptions {
  /** Broker URL, e.g. `mqtt://127.0.0.1:1883`. */
  mqttUrl: string;
  /** Topic for a device; default `vigil/devices/{device_id}/vitals`. */
  topic?: (deviceId: string) => string;
  /** Connect and publish timeout in ms. Default 10 000. */
  timeoutMs?: number;
}

/**
 * Publishes each packet at QoS 1 on the device's own connection (username = device id,
 * password = API key, as Vigil's broker authenticates devices); a send completes on PUBACK.
 * Connections are opened on a device's first packet and reopened after a failure.
 */
export function createMqttTransport(options: MqttTransportOptions): PacketTransport {
  const topic = options.topic ?? ((id: string) => `vigil/devices/${id}/vitals`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clients = new Map<string, Promise<MqttClient>>();
  const connect = (device: DeviceCredentials): Promise<MqttClient> => {
    let pending = clients.get(device.deviceId);
    if (!pending) {
      pending = mqtt
        .connectAsync(
          options.mqttUrl,
          {
            username: device.deviceId,
            password: device.apiKey,
            clientId: `vigil-sim-${device.deviceId}-${Math.random().toString(36).slice(2, 8)}`,
            reconnectPeriod: 0,
            connectTimeout: timeoutMs,
            clean: true,
            // allowRetries false: a socket closed before its CONNACK rejects; with the default,
            // mqtt.js waits for a reconnect that reconnectPeriod 0 never makes, and the send hangs.
          },
          false,
        )
        .catch((error: unknown) => {
          clients.delete(device.deviceId);
          const message = error instanceof Error ? error.message : String(error);
          const kind = /not authori[sz]ed|bad user/i.test(message)
            ? 'mqtt_not_authorized'
            : /ECONNREFUSED/.test(message)
              ? 'connection_refused'
              : 'mqtt_connect';
          throw new SendError(kind, message);
        });
      clients.set(device.deviceId, pending);
    }
    return pending;
  };
  return {
    async send(device, packet, json) {
      const client = await connect(device);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.publishAsync(topic(device.deviceId), json ?? JSON.stringify(packet), { qos: 1 }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              reject(new SendError('timeout', `no PUBACK in ${timeoutMs} ms`));
            }, timeoutMs);
          }),
        ]);
      } catch (error) {
        clients.delete(device.deviceId);
        client.end(true);
        if (error instanceof SendError) throw error;
        throw new SendError('mqtt_publish', error instanceof Error ? error.message : String(error));
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(
        all.map(async (pending) => {
          try {
            await (await pending).endAsync();
          } catch {
            // A client that never connected has nothing to close.
          }
        }),
      );
    },
  };
}
