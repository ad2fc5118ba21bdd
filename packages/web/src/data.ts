/** Initial snapshots over HTTP; everything after them arrives on the WebSocket. */
import type { ApiClient } from './api/client.js';
import type { Alert, Device, Prediction, User, VitalsSummary } from './api/types.js';
import { asList } from './format.js';
import type { LiveStore } from './live/live-store.js';

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

/** Loads the latest reading and prediction of each device into the live store. */
export async function primeDevices(
  api: ApiClient,
  store: LiveStore,
  devices: readonly Device[],
): Promise<void> {
  await Promise.all(
    devices.map(async (d) => {
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

export async function loadClinic(api: ApiClient, store: LiveStore): Promise<Clinic> {
  const [patients, devices, alerts] = await Promise.all([
    api.get<unknown>('/api/v1/users/patients').then((b) => asList<User>(b)),
    api.get<unknown>('/api/v1/devices').then((b) => asList<Device>(b)),
    // Alerts are secondary here: the list is still useful when they cannot be loaded.
    orNull(api.get<unknown>('/api/v1/alerts?state=active')).then((b) => asList<Alert>(b)),
  ]);
  store.loadAlerts(alerts);
  await primeDevices(api, store, devices);
  return { patients, devices };
}
