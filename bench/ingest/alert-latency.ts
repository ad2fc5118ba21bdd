import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  apiRequest,
  createHttpTransport,
  createSimulatedDevice,
  latencySummary,
  login,
  type LatencySummary,
  type VitalsPacket,
} from '../../packages/sim/src/index.js';

export interface AlertLatencyOptions {
  baseUrl: string;
  adminToken: string;
  /** Patients, each with one device alternating normal temperature and fever. Default 10. */
  devices?: number;
  durationS: number;
  /** Wall time between a device's packets (1 s of data each). Default 250 ms (4× real time). */
  paceMs?: number;
}

export interface AlertLatencyResult {
  devices: number;
  /** Fever episodes started. */
  episodes: number;
  alertsOpened: number;
  /** Episodes whose alert never arrived within 30 packets. */
  missed: number;
  latencyMs: LatencySummary;
}

interface DeviceRun {
  deviceId: string;
  apiKey: string;
  /** Send time (epoch ms) of the first fever packet of the current episode. */
  triggerSentAtMs: number | null;
  alertOpen: boolean;
  alertCleared: boolean;
}

const password = (): string => `Bench-${randomBytes(9).toString('hex')}-7`;

/**
 * Packet → WebSocket alert latency. A doctor with `devices` patients sets each patient's fever
 * rule to fire at once (duration 0, >= 39.1 °C) and listens on the WebSocket; every device
 * streams normal packets, then packets at 39.6 °C until the alert arrives, then normal ones until
 * it clears, and so on. The fever rule reads the packet's own temperature, so the first fever
 * packet of an episode is exactly the one that opens the alert (a heart-rate rule would depend on
 * the analyser's averaging window, leaving the triggering packet ambiguous); latency runs from
 * that packet's send to the alert's arrival on the doctor's socket, through ingest, analysis,
 * risk scoring, rule evaluation and the real-time hub.
 */
export async function measureAlertLatency(
  options: AlertLatencyOptions,
): Promise<AlertLatencyResult> {
  const { baseUrl, adminToken, devices: count = 10, durationS, paceMs = 250 } = options;
  const stamp = Date.now().toString(36);
  const doctorEmail = `bench-doctor-${stamp}@vigil.local`;
  const doctorPassword = password();
  await apiRequest(baseUrl, '/api/v1/users', {
    method: 'POST',
    token: adminToken,
    body: { email: doctorEmail, password: doctorPassword, name: 'Bench Doctor', role: 'doctor' },
  });
  const token = await login(baseUrl, doctorEmail, doctorPassword);
  const runs: DeviceRun[] = [];
  for (let i = 0; i < count; i++) {
    const patient = await apiRequest<{ id: string }>(baseUrl, '/api/v1/users', {
      method: 'POST',
      token,
      body: {
        email: `bench-patient-${stamp}-${i}@vigil.local`,
        password: password(),
        name: `Bench Patient ${i}`,
        role: 'patient',
      },
    });
    const device = await apiRequest<{ device_id: string; api_key: string }>(
      baseUrl,
      '/api/v1/devices/register',
      {
        method: 'POST',
        token,
        body: { device_id: `ALERT-${stamp}-${i}`, patient_id: patient.id },
      },
    );
    await apiRequest(baseUrl, `/api/v1/patients/${patient.id}/alert-rules`, {
      method: 'PUT',
      token,
      body: {
        rules: [
          { kind: 'fever', enabled: true, threshold: 39.1, duration_s: 0, severity: 'warning' },
        ],
      },
    });
    runs.push({
      deviceId: device.device_id,
      apiKey: device.api_key,
      triggerSentAtMs: null,
      alertOpen: false,
      alertCleared: true,
    });
  }
  const byId = new Map(runs.map((r) => [r.deviceId, r]));
  const latencies: number[] = [];

  const socket = new WebSocket(
    `${baseUrl.replace(/^http/, 'ws')}/api/v1/ws?token=${encodeURIComponent(token)}`,
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      resolve();
    });
    socket.once('error', reject);
  });
  socket.on('message', (raw: Buffer) => {
    const receivedAt = Date.now();
    const message = JSON.parse(raw.toString('utf8')) as {
      type: string;
      action?: string;
      data?: { device_id?: string | null; rule_kind?: string; opened_at?: number };
    };
    if (message.type !== 'alert' || message.data?.rule_kind !== 'fever') return;
    const run = byId.get(message.data.device_id ?? '');
    if (!run) return;
    if (message.action === 'opened') {
      run.alertOpen = true;
      run.alertCleared = false;
      if (run.triggerSentAtMs !== null) latencies.push(receivedAt - run.triggerSentAtMs);
      run.triggerSentAtMs = null;
    } else if (message.action === 'cleared') {
      run.alertOpen = false;
      run.alertCleared = true;
    }
  });

  const transport = createHttpTransport({ baseUrl, maxSockets: count });
  const startTimeMs = Date.now() - 3600 * 1000;
  const endAt = Date.now() + durationS * 1000;
  let episodes = 0;
  let missed = 0;
  const drive = async (run: DeviceRun, index: number): Promise<void> => {
    const device = createSimulatedDevice({
      deviceId: run.deviceId,
      scenario: 'normal',
      seed: index + 1,
      startTimeMs,
    });
    let fever = false;
    let inPhase = 0;
    await new Promise((r) => setTimeout(r, (paceMs * index) / runs.length));
    while (Date.now() < endAt) {
      if (!fever && inPhase >= 5 && run.alertCleared) {
        fever = true;
        inPhase = 0;
        episodes++;
      } else if (fever && (run.alertOpen || inPhase >= 30)) {
        if (!run.alertOpen) missed++;
        fever = false;
        inPhase = 0;
        run.triggerSentAtMs = null;
      }
      const base = device.nextPacket();
      if (!base) continue;
      const packet: VitalsPacket = fever ? { ...base, temperature_c: 39.6 } : base;
      const started = Date.now();
      if (fever && inPhase === 0) run.triggerSentAtMs = started;
      inPhase++;
      try {
        await transport.send(run, packet);
      } catch {
        // An alert device's failed packet shows up as a missed alert.
      }
      const wait = paceMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  await Promise.all(runs.map((run, i) => drive(run, i)));
  // Let alerts of the last packets arrive.
  await new Promise((r) => setTimeout(r, 500));
  socket.close();
  await transport.close();
  return {
    devices: count,
    episodes,
    alertsOpened: latencies.length,
    missed,
    latencyMs: latencySummary(latencies),
  };
}
