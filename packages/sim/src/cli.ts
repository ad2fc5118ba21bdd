import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { login, registerDevices } from './api-client.js';
import type { ReplaySource } from './create-simulated-device.js';
import { createFirmwareSource, FIRMWARE_WINDOW_S } from './firmware-source.js';
import { loadWfdbReplay } from './load-wfdb-replay.js';
import { createEcg12Source, loadEcg12Records } from './create-ecg12-source.js';
import type { Ecg12Record } from '@vigil/signal/io';
import { runFleet, type FleetDevice, type FleetProgress } from './run-fleet.js';
import { isScenarioName, SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios.js';

const HELP = `vigil-sim: simulated ESP32 vitals devices and load generator for Vigil

Usage: vigil-sim [options]        (npm run sim -- [options], npx vigil-sim [options])

Server
  --url URL            Vigil base URL (default $VIGIL_URL or http://127.0.0.1:3000)
  --transport T        http | mqtt (default http)
  --mqtt-url URL       broker for --transport mqtt (default mqtt://127.0.0.1:1883)
Devices
  --devices N          number of devices (default 3)
  --scenario S         ${SCENARIO_NAMES.join(' | ')} | mix,
                       or a comma list assigned round-robin (default normal)
  --email E            admin/doctor who registers the devices ($VIGIL_EMAIL)
  --password P         their password ($VIGIL_PASSWORD)
  --patient-id ID      attach registered devices to this patient
  --prefix P           device id prefix (default SIM-<random>-)
  --keys FILE          use existing devices: JSON [{"deviceId","apiKey","scenario"?}]
  --replay PATH        replay a WFDB record (path without extension) instead of ECGSYN
  --lead N             signal of the record to replay (default 0)
  --ecg12 FOLDERS      12-lead streaming sensors (seed 004): replay every 12-lead record of
                       FOLDERS (comma list; .hea + .mat/.dat, e.g. ../shared/data/cinc2021) in
                       1 s packets of lead1 … lead12 at the record's rate; device i starts at
                       record i
  --ecg12-records L    only these records of FOLDERS (comma list, e.g. HR06006,00177_hr)
Load
  --rate R             packets per second per device (default 1; each packet is 1 s of data)
  --duration S         wall-clock seconds (default 60)
  --speed X            data time runs X times faster than real time; "max" = back to back
  --fs HZ              ECG sample rate (default 250)
  --firmware           send exactly what the cardiac-monitor ESP32 firmware posts (seed 000,
                       data_sender.cpp): a 10 s window of 12-bit ADC counts every 10 s, with
                       sample_rate_hz, window_ms, ecg_lead_off, beat_timestamps_ms
Output
  --json               only the JSON summary on stdout
  --quiet              no progress line
  --list-scenarios     print the scenarios and exit
  -h, --help

Exit status: 0 when every packet was accepted, 1 when any failed, 2 on a usage error.`;

class UsageError extends Error {}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} must be a positive number`);
  return value;
}

function scenarioPicker(spec: string): (index: number) => ScenarioName {
  const names = spec === 'mix' ? [...SCENARIO_NAMES] : spec.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!isScenarioName(name))
      throw new UsageError(`unknown scenario "${name}" (try --list-scenarios)`);
  }
  const valid = names as ScenarioName[];
  return (index) => valid[index % valid.length] ?? 'normal';
}

async function readKeys(path: string): Promise<FleetDevice[]> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new UsageError(`${path}: expected a JSON array`);
  return parsed.map((entry: unknown, index) => {
    const e = entry as { deviceId?: unknown; apiKey?: unknown; scenario?: unknown };
    if (typeof e.deviceId !== 'string' || typeof e.apiKey !== 'string') {
      throw new UsageError(`${path}[${index}]: deviceId and apiKey are required strings`);
    }
    const scenario = typeof e.scenario === 'string' ? e.scenario : 'normal';
    if (!isScenarioName(scenario)) throw new UsageError(`${path}[${index}]: unknown scenario`);
    return { deviceId: e.deviceId, apiKey: e.apiKey, scenario };
  });
}

function progressLine(p: FleetProgress): string {
  return (
    `devices ${p.devices}  sent ${p.sent}  ok ${p.ok}  ${p.ratePerS.toFixed(1)} pkt/s  ` +
    `errors ${p.errors}  in flight ${p.inFlight}  ${p.elapsedS.toFixed(0)} s`
  );
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      transport: { type: 'string', default: 'http' },
      'mqtt-url': { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      devices: { type: 'string' },
      scenario: { type: 'string', default: 'normal' },
      email: { type: 'string' },
      password: { type: 'string' },
      'patient-id': { type: 'string' },
      prefix: { type: 'string' },
      keys: { type: 'string' },
      replay: { type: 'string' },
      lead: { type: 'string' },
      ecg12: { type: 'string' },
      'ecg12-records': { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      speed: { type: 'string' },
      fs: { type: 'string' },
      firmware: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'list-scenarios': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values['list-scenarios']) {
    for (const name of SCENARIO_NAMES)
      process.stdout.write(`${name.padEnd(14)}${SCENARIOS[name].description}\n`);
    return 0;
  }
  const baseUrl = values.url ?? process.env.VIGIL_URL ?? 'http://127.0.0.1:3000';
  const transport = values.transport;
  if (transport !== 'http' && transport !== 'mqtt')
    throw new UsageError('--transport must be http or mqtt');
  const count = Math.round(positive('devices', values.devices, 3));
  const pick = scenarioPicker(values.scenario);
  const speed = values.speed === 'max' ? Infinity : positive('speed', values.speed, 1);
  const fs = positive('fs', values.fs, 250);
  const log = (text: string): void => {
    process.stderr.write(`${text}\n`);
  };

  let devices: FleetDevice[];
  if (values.keys !== undefined) {
    devices = await readKeys(values.keys);
  } else {
    const email = values.email ?? process.env.VIGIL_EMAIL;
    const password = values.password ?? process.env.VIGIL_PASSWORD;
    if (!email || !password) {
      throw new UsageError('give --email and --password of an admin or doctor (or --keys FILE)');
    }
    const prefix = values.prefix ?? `SIM-${Math.random().toString(36).slice(2, 8).toUpperCase()}-`;
    const token = await login(baseUrl, email, password);
    const ids = Array.from(
      { length: count },
      (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`,
    );
    devices = await registerDevices({
      baseUrl,
      token,
      deviceIds: ids,
      scenarioFor: pick,
      ...(values['patient-id'] ? { patientId: values['patient-id'] } : {}),
    });
    if (!values.json) log(`registered ${devices.length} devices (${ids[0] ?? ''} ...)`);
  }
  let replay: ReplaySource | undefined;
  if (values.replay !== undefined) {
    replay = await loadWfdbReplay(values.replay, {
      fs,
      lead: Math.round(positive('lead', values.lead, 0) || 0),
    });
    if (!values.json)
      log(`replaying ${replay.name}: ${(replay.ecgMv.length / fs).toFixed(0)} s at ${fs} Hz`);
  }

  const ecg12 =
    values.ecg12 === undefined
      ? undefined
      : await loadEcg12Records(values.ecg12.split(','), values['ecg12-records']?.split(','));
  if (ecg12 !== undefined && !values.json)
    log(`12-lead replay of ${ecg12.length} records (${ecg12.map((r) => r.name).join(', ')})`);

  const controller = new AbortController();
  const onSignal = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = process.stderr.isTTY;
  const summary = await runFleet({
    transport,
    baseUrl,
    mqttUrl: values['mqtt-url'],
    devices,
    // The firmware posts one 10 s window every 10 s.
    ratePerDevice: values.firmware
      ? positive('rate', values.rate, 1) / FIRMWARE_WINDOW_S
      : positive('rate', values.rate, 1),
    ...(ecg12 !== undefined
      ? {
          createSource: (device: FleetDevice, index: number, startTimeMs: number) =>
            createEcg12Source({
              deviceId: device.deviceId,
              // Device i starts at record i, so a fleet shows different records at once.
              records: ecg12.map((_, k) => ecg12[(index + k) % ecg12.length] as Ecg12Record),
              startTimeMs,
            }),
        }
      : {}),
    ...(values.firmware
      ? {
          createSource: (device: FleetDevice, _index: number, startTimeMs: number) =>
            createFirmwareSource({
              deviceId: device.deviceId,
              scenario: device.scenario ?? 'normal',
              fs,
              startTimeMs,
              ...(device.seed !== undefined ? { seed: device.seed } : {}),
              ...(replay ? { replay } : {}),
            }),
        }
      : {}),
    durationS: positive('duration', values.duration, 60),
    speed,
    fs,
    ...(replay ? { replay } : {}),
    signal: controller.signal,
    ...(values.quiet
      ? {}
      : {
          onProgress: (p: FleetProgress) => {
            if (tty) process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
            else if (Math.round(p.elapsedS) % 5 === 0) log(progressLine(p));
          },
        }),
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (tty && !values.quiet) process.stderr.write('\n');
  if (!values.json) {
    log(
      `sent ${summary.packetsSent}, ok ${summary.packetsOk}, errors ${summary.errors}, ` +
        `${summary.achievedRatePerS} pkt/s, latency p50 ${summary.latencyMs.p50} ms p99 ${summary.latencyMs.p99} ms`,
    );
  }
  process.stdout.write(`${JSON.stringify(summary, null, values.json ? 2 : 0)}\n`);
  return summary.errors === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vigil-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? 2
        : 1;
  },
);
