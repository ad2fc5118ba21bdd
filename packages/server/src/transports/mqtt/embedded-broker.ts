import { createServer, type Server } from 'node:net';
import { Aedes, type AuthErrorCode, type AuthenticateError, type Client } from 'aedes';
import type { DeviceAuth, DeviceIdentity } from '../../services/devices.service.js';
import {
  deviceIdOfTopic,
  errorsTopic,
  handleDeviceMessage,
  internalFailure,
  rejectionMessage,
  type MqttChannels,
  type MqttOutcome,
  type MqttRejected,
} from './device-message.js';
import { failureDetail, type PoisonQuarantine } from './poison-messages.js';
import { isDomainError } from '../../errors/catalogue.js';

export interface EmbeddedBrokerDeps {
  port: number;
  host?: string;
  /**
   * A port already taken stops start-up (production: devices configured for this port would reach
   * another broker, or none, while Vigil looked healthy) instead of the development fallback of
   * running without the embedded broker. Default false.
   */
  portRequired?: boolean;
  /** The device messages accepted, by topic suffix. */
  channels: MqttChannels;
  devices: {
    authenticateKey(key: string): Promise<DeviceAuth>;
    resolveUploader(auth: DeviceAuth, deviceId: string): Promise<DeviceIdentity>;
  };
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Called after each vitals message is handled (metrics, tests). */
  onOutcome?: (deviceId: string, outcome: MqttOutcome) => void;
  /**
   * Sets aside a message that keeps failing (poison-messages.ts); without it a failed message is
   * never acknowledged and the device resends it before anything newer.
   */
  quarantine?: PoisonQuarantine | undefined;
}

export interface EmbeddedBroker {
  /** The port actually listened on (useful with port 0 in tests). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * MQTT 3.1.1 CONNACK return code 5, "not authorized". aedes declares it in an ambient const enum,
 * which isolatedModules cannot read, hence the number.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
const NOT_AUTHORIZED = 5 as AuthErrorCode;

/**
 * Vigil's embedded MQTT broker (aedes). Devices connect with username = device_id and
 * password = their API key, may publish only to `vigil/devices/{own id}/vitals`, and may
 * subscribe only to `vigil/devices/{own id}/errors`, where a refused message's error is
 * published (any other subscription is denied: SUBACK 0x80). Each message goes through
 * the ingest service. A port already in use (e.g. Mosquitto on 1883) is logged clearly and
 * the server carries on without the embedded broker: returns null.
 */
export async function startEmbeddedBroker(
  deps: EmbeddedBrokerDeps,
): Promise<EmbeddedBroker | null> {
  /**
   * Who each connection authenticated as: its key, not the identity the key resolved to at
   * CONNECT. Every publish resolves the key again (DevicesService's key cache, cleared by every
   * device change), so a connection opened before a reassignment stores its later packets as the
   * new patient's, and one opened with a key since rotated (or of a device since retired) is
   * refused at its next publish and dropped, as HTTP refuses the old key at once.
   */
  const auths = new Map<Client, { key: string; deviceId: string }>();
  const resolve = async (who: { key: string; deviceId: string }): Promise<DeviceAuth> => {
    const auth = await deps.devices.authenticateKey(who.key);
    await deps.devices.resolveUploader(auth, who.deviceId);
    return auth;
  };
  const broker = new Aedes({
    authenticate: (client, username, password, done) => {
      const fail = (): void => {
        const e = new Error('not authorized') as AuthenticateError;
        e.returnCode = NOT_AUTHORIZED;
        done(e, false);
      };
      if (username === undefined || password === undefined) {
        fail();
        return;
      }
      // The key must speak for the device named as the username.
      const who = { key: password.toString('utf8'), deviceId: username };
      resolve(who)
        .then(() => {
          auths.set(client, who);
          done(null, true);
        })
        .catch(fail);
    },
    // The message is ingested here, before aedes answers: aedes writes a QoS 1 PUBACK before it
    // even starts publishing (aedes/lib/handlers/publish.js), so ingesting on its 'publish' event
    // acknowledged packets that were not yet stored; a crash then lost them (the crash-safety
    // test lost 1,303 of 1,842 acknowledged MQTT packets in 6 kills). Now a PUBACK means stored,
    // as a 2xx does over HTTP. A refused message is acknowledged too (it is answered on the
    // device's errors topic; sending it again would not help); a failure of the server (a 5xx
    // such as DATABASE_UNAVAILABLE, or an unexpected error) is not: aedes closes the connection
    // without a PUBACK and the device sends the message again (MQTT 3.1.1 has no negative PUBACK).
    // A message that failed so MQTT_POISON_ATTEMPTS times is stored in the dead letters and then
    // acknowledged (poison-messages.ts): the device would otherwise resend it before anything else.
    authorizePublish: (client, packet, callback) => {
      const who = client === null ? undefined : auths.get(client);
      if (who === undefined || deviceIdOfTopic(packet.topic, deps.channels) !== who.deviceId) {
        callback(new Error(`publishing to ${packet.topic} is not allowed`));
        return;
      }
      const payload = packet.payload as Buffer;
      const { deviceId } = who;
      // aedes must be answered exactly once, whichever step below throws.
      let answered = false;
      const answer = (err: Error | null): void => {
        if (answered) return;
        answered = true;
        callback(err);
      };
      /**
       * A server failure: no PUBACK, unless it failed MQTT_POISON_ATTEMPTS times and the
       * quarantine stored it in the dead letters (then it is acknowledged and reported).
       */
      const failed = async (failure: MqttRejected, detail: string) => {
        const rejection = await deps.quarantine?.failed(deviceId, packet.topic, payload, {
          code: failure.code,
          status: failure.status,
          message: detail,
        });
        if (rejection === null || rejection === undefined)
          return new Error(`${failure.code}: the message was not stored; not acknowledged`);
        report(deviceId, rejection);
        deps.onOutcome?.(deviceId, rejection);
        return null;
      };
      resolve(who)
        .then(
          (auth) => handleDeviceMessage(deps.channels, auth, packet.topic, payload, packet.dup),
          (err: unknown) => {
            // The key was rotated or the device retired since CONNECT (or the look-up failed):
            // not acknowledged, nothing stored, and aedes drops a connection whose publish is
            // not authorised; a device whose key still holds reconnects and sends it again.
            const refused = isDomainError(err) && err.status < 500;
            if (refused && client !== null) auths.delete(client);
            deps.log.warn(
              {
                deviceId,
                err: refused ? undefined : err,
                code: isDomainError(err) ? err.code : undefined,
              },
              refused
                ? 'MQTT publish with a key that no longer holds: connection dropped'
                : 'MQTT publish: the device key could not be checked; not acknowledged',
            );
            answer(new Error(`the key of ${deviceId} could not be verified`));
            return null;
          },
        )
        .then(
          async (outcome) => {
            if (outcome === null) return;
            if (!outcome.ok)
              deps.log.warn(
                { deviceId, code: outcome.code, field: outcome.field },
                'MQTT vitals rejected',
              );
            deps.onOutcome?.(deviceId, outcome);
            // A 5xx (DATABASE_UNAVAILABLE, SERVER_OVERLOADED) is the server's failure, not the
            // packet's: no PUBACK, so the device keeps it and sends it again.
            if (!outcome.ok && outcome.status >= 500) {
              answer(await failed(outcome, outcome.message));
              return;
            }
            report(deviceId, outcome);
            deps.quarantine?.settled(packet.topic, payload);
            answer(null);
          },
          async (err: unknown) => {
            deps.log.error({ err, deviceId }, 'MQTT vitals failed');
            const failure = internalFailure();
            deps.onOutcome?.(deviceId, failure);
            answer(await failed(failure, failureDetail(err)));
          },
        )
        .catch((err: unknown) => {
          deps.log.error({ err, deviceId }, 'MQTT outcome handler failed');
          answer(new Error('the message could not be stored; not acknowledged'));
        });
    },
    authorizeSubscribe: (client, sub, callback) => {
      // Exactly the device's own errors topic: no wildcards, no other device's errors.
      const who = auths.get(client);
      callback(null, who !== undefined && sub.topic === errorsTopic(who.deviceId) ? sub : null);
    },
  });
  broker.on('clientDisconnect', (client) => auths.delete(client));
  /** Tells the device why its message was refused, on its own errors topic (QoS 1). */
  const report = (deviceId: string, outcome: MqttOutcome): void => {
    if (outcome.ok) return;
    broker.publish(
      {
        cmd: 'publish',
        topic: errorsTopic(deviceId),
        payload: rejectionMessage(outcome),
        qos: 1,
        retain: false,
        dup: false,
      },
      (err) => {
        if (err) deps.log.warn({ err, deviceId }, 'could not publish an MQTT rejection');
      },
    );
  };
  await broker.listen();

  const server: Server = createServer(broker.handle);
  const listened = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if ((err.code === 'EADDRINUSE' || err.code === 'EACCES') && deps.portRequired === true) {
        const why =
          err.code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
        const refusal = new Error(
          `MQTT_PORT ${deps.port} ${why} (${err.code}): free it, set MQTT_PORT to a free port, ` +
            'MQTT_PORT=0 to disable the embedded broker, or MQTT_URL to use an external one',
        );
        broker.close(() => {
          reject(refusal);
        });
      } else if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
        deps.log.warn(
          { port: deps.port, code: err.code },
          `MQTT port ${deps.port} is not available (another broker such as Mosquitto may hold it); ` +
            'continuing WITHOUT the embedded MQTT broker. Set MQTT_PORT to a free port, MQTT_PORT=0 to disable it, ' +
            'or MQTT_URL to use the external broker.',
        );
        resolve(false);
      } else reject(err);
    });
    server.listen(deps.port, deps.host ?? '0.0.0.0', () => {
      resolve(true);
    });
  });
  if (!listened) {
    await new Promise<void>((r) => {
      broker.close(() => {
        r();
      });
    });
    return null;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : deps.port;
  deps.log.info({ port }, 'embedded MQTT broker listening');
  return {
    port,
    async close() {
      await new Promise<void>((r) => {
        broker.close(() => {
          r();
        });
      });
      await new Promise<void>((r) => {
        server.close(() => {
          r();
        });
      });
    },
  };
}
