import type { Config } from './env.js';

/**
 * The development banner's MQTT line: where devices publish, or why nothing listens.
 *
 * Why: the embedded broker steps aside when its port is taken (a Mosquitto on 1883 is common on
 * a developer's machine) and said so only in a JSON warning among the log lines, while the banner
 * and the README promised an embedded broker; a user then published to 1883 and reached the
 * other broker, where nothing of Vigil listens.
 *
 * @param mqtt the MQTT configuration (MQTT_PORT, MQTT_URL, MQTT_PARTITION_SESSIONS)
 * @param listeningPort the embedded broker's port when it listens, else null
 */
export function mqttStatusLine(
  mqtt: Pick<Config['mqtt'], 'port' | 'url' | 'partitionSessions'>,
  listeningPort: number | null,
): string {
  const label = '  MQTT:        ';
  // MQTT_URL may hold a password: the banner names the variable, never its value.
  if (mqtt.url !== undefined)
    return `${label}subscribed to the external broker of MQTT_URL${mqtt.partitionSessions === undefined ? '' : ' (partition sessions)'}`;
  if (listeningPort !== null)
    return `${label}mqtt://localhost:${String(listeningPort)} (embedded broker: user = device_id, password = its API key; topic vigil/devices/{device_id}/vitals)`;
  if (mqtt.port === 0) return `${label}off (MQTT_PORT=0)`;
  return `${label}OFF: port ${String(mqtt.port)} is taken (another broker such as Mosquitto?); set MQTT_PORT to a free port, or MQTT_URL to use that broker`;
}
