/** Initial snapshots over HTTP; everything after them arrives on the WebSocket. */
import type { ApiClient } from './api/client.js';
import type { Alert, Device, Prediction, User, VitalsSummary } from './api/types.js';
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
 * Whether a device has a latest ECG/vitals reading and prediction to ask for: the server says
 * it has sent `ecg-vitals` (a pulse oximeter or a baby monitor has endpoints of its own; asking
 * them only earns a 404 in the console).
 */
export function sendsVitals(device: Device): boolean {
  return device.kinds.includes('ecg-vitals');
}

/** A baby monitor and nothing else: no ECG to show, its readings have a panel of their own. */
export function isBabyMonitorOnly(device: Device): boolean {
  return device.kinds.length > 0 && device.kinds.every((k) => k === 'baby-monitor');
}

/** Loads the latest reading and prediction of each device that sends vitals into the store. */
export async function primeDevices(
  api: Api,
  store: LiveStore,
  devices: readonly Device[],
): Promise<void> {
  await Promise.all(
    devices.map(async (d) => {
      if (!sendsVitals(d)) return;
      const id = encodeURIComponent(d.device_id);
      const [latest, prediction] = await Promise.all([
        orNull(api.get<VitalsSummary>(`/api/v1/vitals/${id}/latest`)),
        orNull(api.get<Prediction>(`/api/v1/predictions/${id}/latest`)),
      ]);
      if (latest) store.primeLatest({ ...latest, device_id: d.device_id });
      if (prediction) store.applyPrediction({ ...prediction, device_id: d.device_id });
    }),
  );
}

export interface Clinic {
  patients: User[];
  devices: Device[];
}

export async function loadClinic(api: Api, store: LiveStore): Promise<Clinic> {
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
