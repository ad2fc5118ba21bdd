import { describe, expect, it } from 'vitest';
import { mqttStatusLine } from './mqtt-status-line.js';

describe('mqttStatusLine', () => {
  const embedded = { port: 1883, url: undefined, partitionSessions: undefined };

  it('gives the embedded broker address and credentials when it listens', () => {
    expect(mqttStatusLine({ ...embedded, port: 18830 }, 18830)).toBe(
      '  MQTT:        mqtt://localhost:18830 (embedded broker: user = device_id, password = its API key; topic vigil/devices/{device_id}/vitals)',
    );
  });

  it('says the broker is off, and why, when its port was taken', () => {
    const line = mqttStatusLine(embedded, null);
    expect(line).toContain('OFF: port 1883 is taken');
    expect(line).toContain('set MQTT_PORT');
  });

  it('says off when MQTT_PORT=0 disabled it', () => {
    expect(mqttStatusLine({ ...embedded, port: 0 }, null)).toBe('  MQTT:        off (MQTT_PORT=0)');
  });

  it('names MQTT_URL without printing the URL, which may hold a password', () => {
    const line = mqttStatusLine({ ...embedded, url: 'mqtt://vigil:s3cret@broker:1883' }, null);
    expect(line).toBe('  MQTT:        subscribed to the external broker of MQTT_URL');
    expect(line).not.toContain('s3cret');
    expect(
      mqttStatusLine({ ...embedded, url: 'mqtt://b', partitionSessions: 'vigil' }, null),
    ).toContain('(partition sessions)');
  });
});
