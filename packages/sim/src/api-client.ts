import type { Scenario, ScenarioName } from './scenarios.js';
import type { FleetDevice } from './run-fleet.js';

/** An API error with the server's catalogue `code` when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** A JSON API call with an optional bearer token; non-2xx answers throw ApiError. */
export async function apiRequest<T>(
  baseUrl: string,
  path: string,
  init: { method: string; body?: unknown; token?: string },
): Promise<T> {
  const response = await fetch(new URL(path, baseUrl), {
    method: init.method,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const body = (parsed ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof body.code === 'string' ? body.code : null;
    const message = typeof body.message === 'string' ? body.message : text.slice(0, 200);
    throw new ApiError(
      response.status,
      code,
      `${init.method} ${path}: ${response.status} ${message}`,
    );
  }
  return parsed as T;
}

/** Signs in (JSON `{email, password}`) and returns the access token. */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const body = await apiRequest<{ access_token: string }>(baseUrl, '/api/v1/auth/login', {
    method: 'POST',
    body: { email, password },
  });
  return body.access_token;
}

export interface RegisterDevicesOptions {
  baseUrl: string;
  /** Access token of an admin or doctor. */
  token: string;
  /** Device ids to register. */
  deviceIds: string[];
  /** Scenario per device (by index), for the returned fleet list. */
  scenarioFor: (index: number) => ScenarioName | Scenario;
  /** Patient to attach the devices to, if any. */
  patientId?: string;
  /** Registrations in parallel. Default 16. */
  concurrency?: number;
}

/**
 * Registers devices through `POST /api/v1/devices/register` and returns them with the API key
 * the server shows once.
 */
export async function registerDevices(options: RegisterDevicesOptions): Promise<FleetDevice[]> {
  const { baseUrl, token, deviceIds, concurrency = 16 } = options;
  const result: FleetDevice[] = new Array<FleetDevice>(deviceIds.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < deviceIds.length) {
      const index = next++;
      const deviceId = deviceIds[index] ?? '';
      const device = await apiRequest<{ device_id: string; api_key: string }>(
        baseUrl,
        '/api/v1/devices/register',
        {
          method: 'POST',
          token,
          body: {
            device_id: deviceId,
            name: `Simulated ${deviceId}`,
            ...(options.patientId ? { patient_id: options.patientId } : {}),
          },
        },
      );
      result[index] = {
        deviceId: device.device_id,
        apiKey: device.api_key,
        scenario: options.scenarioFor(index),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, deviceIds.length) }, worker));
  return result;
}
