import type { ReactNode } from 'react';
import { useLive, useTick } from '../app-context.js';
import { timeAgo } from '../format.js';

/**
 * When a device was last heard: the later of its stored `last_seen_at` and the last live packet
 * this browser received, ageing every 5 s on its own (only this text re-renders).
 */
export function LastSeen({
  deviceId,
  storedIso,
  prefix = '',
  never,
}: {
  deviceId: string;
  storedIso: string | null;
  prefix?: string;
  never: string;
}): ReactNode {
  const store = useLive();
  useTick(5000);
  const ms = store.lastSeenMs(deviceId, storedIso);
  return ms === null ? never : `${prefix}${timeAgo(ms)}`;
}
