/**
 * @vigil/protocol: the contract between Vigil and its clients. Each boundary (device payload over
 * HTTP and MQTT, REST body and response, WebSocket message, error) has one TypeBox schema here,
 * which gives the static type, the validation and the OpenAPI entry. The server, the simulator and
 * the dashboard import these; none of them declares a shape of its own.
 */
export * from './alerts.js';
export * from './audit.js';
export * from './auth.js';
export * from './baby-monitor.js';
export * from './common.js';
export * from './device-payload.js';
export * from './validation-errors.js';
export * from './devices.js';
export * from './errors.js';
export * from './mqtt.js';
export * from './mqtt-dead-letters.js';
export * from './ops.js';
export * from './oximetry.js';
export * from './predictions.js';
export * from './rppg.js';
export * from './users.js';
export * from './vitals.js';
export * from './ws.js';
export * from './ecg12.js';
export * from './seed-000.js';
export * from './fhir.js';
export * from './reports.js';
export * from './seed-004.js';
