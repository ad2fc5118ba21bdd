export { createSimulatedDevice } from './create-simulated-device.js';
export type {
  PacketTruth,
  ReplaySource,
  SimulatedDevice,
  SimulatedDeviceOptions,
} from './create-simulated-device.js';
export { SCENARIOS, SCENARIO_NAMES, isScenarioName } from './scenarios.js';
export type { Ramp, Scenario, ScenarioName } from './scenarios.js';
export type { VitalsPacket } from './vitals-packet.js';
export { runFleet } from './run-fleet.js';
export type {
  FleetDevice,
  FleetProgress,
  FleetSummary,
  PacketResult,
  PacketSource,
  RunFleetOptions,
} from './run-fleet.js';
export { createHttpTransport, createMqttTransport, SendError } from './transports.js';
export type { DeviceCredentials, PacketTransport } from './transports.js';
export { latencySummary } from './latency-summary.js';
export type { LatencySummary } from './latency-summary.js';
export { loadWfdbReplay } from './load-wfdb-replay.js';
export type { WfdbReplayOptions } from './load-wfdb-replay.js';
export { ApiError, apiRequest, login, registerDevices } from './api-client.js';
export type { RegisterDevicesOptions } from './api-client.js';
export { createSimulatedBabyMonitor } from './create-simulated-baby-monitor.js';
export type {
  BabyMonitorReading,
  SimulatedBabyMonitor,
  SimulatedBabyMonitorOptions,
} from './create-simulated-baby-monitor.js';
export { BABY_SCENARIOS, BABY_SCENARIO_NAMES, isBabyScenarioName } from './baby-scenarios.js';
export type { BabyScenario, BabyScenarioName, CryEpisode, FeverEpisode } from './baby-scenarios.js';
export { loadBabyClips } from './baby-clips.js';
export type { BabyClip } from './baby-clips.js';
export { createBabyMonitorHttpTransport } from './baby-monitor-transport.js';
export type {
  BabyMonitorHttpTransportOptions,
  BabyMonitorTransport,
} from './baby-monitor-transport.js';
export {
  FIRMWARE_COUNTS_PER_MV,
  firmwareCounts,
  firmwareJsonOf,
  firmwarePayload,
} from './firmware-payload.js';
export type { FirmwareWindow } from './firmware-payload.js';
export { createFirmwareSource, FIRMWARE_WINDOW_S } from './firmware-source.js';
export { createEcg12Source, loadEcg12Records } from './create-ecg12-source.js';
export type { Ecg12SourceOptions } from './create-ecg12-source.js';
