/** Initial snapshots over HTTP; everything after them arrives on the WebSocket. */
import type { BabyReading } from '@vigil/protocol';
import { query, type ApiClient } from './api/client.js';
import type { Alert, Device, Prediction, User, VitalsSummary } from './api/types.js';
import { monitorDeviceIds } from './baby/baby-readings.js';
import { asList } from './format.js';
import type { LiveStore } from './live/live-store.js';

type Api = Pick<ApiClient, 'get'>;

/** Active (the condition holds or nobody resolved it yet), acknowledged or not. */
export function isOpen(a: Alert): boolean {
  return a.status === 'active_unack' || a.status === 'active_ack';
}

export function isAcknowledged(a: Alert): boolean {
  return a.status === 'active_ack' || a.status === 'cleared_ack';
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null; // a device that never sent data has no latest reading (404)
  }
}

/**
 * Whether a device has a latest ECG/vitals reading and prediction to ask for: it has sent
 * something (`last_seen_at`), and not as a baby monitor, whose readings (temperature, humidity,
 * cries) have endpoints of their own. Asking anyway only earns a 404 in the console.
 */
export function sendsVitals(device: Device, monitorIds: ReadonlySet<string>): boolean {
  return device.last_seen_at !== null && !monitorIds.has(device.device_id);
}

/**
 * The baby monitors among the devices the user may see (of one patient, when given): the
 * devices of the newest readings, as the patient list reads them.
 */
export async function loadMonitorIds(api: Api, patientId?: string): Promise<Set<string>> {
  const readings = await orNull(
    api.get<BabyReading[]>(`/api/v1/readings${query({ patient_id: patientId, limit: 1000 })}`),
  );
  return monitorDeviceIds(readings ?? []);
}

/** Loads the latest reading and prediction of each device that sends vitals into the store. */
export async function primeDevices(
  api: Api,
  store: LiveStore,
  devices: readonly Device[],
  monitorIds: ReadonlySet<string>,
): Promise<void> {
  await Promise.all(
    devices.map(async (d) => {
      if (!sendsVitals(d, monitorIds)) return;
      const id = encodeURIComponent(d.device_id);
      const [latest, prediction] = await Promise.all([
        orNull(api.get<VitalsSummary>(`/api/v1/vitals/${id}/latest`)),
        orNull(api.get<Prediction>(`/api/v1/predictions/${id}/latest`)),
      ]);
      if (latest) store.applyVitals({ ...latest, device_id: d.device_id }, null);
      if (prediction) store.applyPrediction({ ...prediction, device_id: d.device_id });
    }),
  );
}

export interface Clinic {
  patients: User[];
  devices: Device[];
}

export async function loadClinic(api: Api, store: LiveStore): Promise<Clinic> {
  const [patients, devices, alerts, monitorIds] = await Promise.all([
    api.get<unknown>('/api/v1/users/patients').then((b) => asList<User>(b)),
    api.get<unknown>('/api/v1/devices').then((b) => asList<Device>(b)),
    // Alerts are secondary here: the list is still useful when they cannot be loaded.
    orNull(api.get<unknown>('/api/v1/alerts?state=active')).then((b) => asList<Alert>(b)),
    loadMonitorIds(api),
  ]);
  store.loadAlerts(alerts);
  await primeDevices(api, store, devices, monitorIds);
  return { patients, devices };
}
