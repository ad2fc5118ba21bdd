import { SignalInputError } from '../errors.js';
import type { RhythmEpisode } from './types.js';

/** Closed episodes a live history keeps by default (every open one is always kept). */
export const EPISODE_HISTORY_DEFAULT = 1000;

export interface EpisodeHistory {
  /** Adds an episode; adding one again (an update of an open episode) changes nothing. */
  add(episode: RhythmEpisode): void;
  /** Every open episode and the newest `maxClosed` closed ones, in opening order. */
  readonly list: readonly RhythmEpisode[];
}

/**
 * The episodes a streaming analysis has reported, in opening order, keeping every open episode
 * and only the newest `maxClosed` closed ones. A live stream runs for days and a patient with
 * frequent couplets or pauses opens thousands of episodes a day; the live path reads each
 * update's episodes, so an unbounded history would only grow the process (and the duplicate
 * check with it). `Infinity` keeps them all (offline analysis of a finite record).
 *
 * Adding is amortised O(1): closed episodes beyond the bound are dropped in batches.
 */
export function createEpisodeHistory(maxClosed: number, field = 'maxClosed'): EpisodeHistory {
  if (!(maxClosed === Infinity || (Number.isInteger(maxClosed) && maxClosed >= 0))) {
    throw new SignalInputError(
      'INVALID_OPTION',
      field,
      `${field} must be an integer ≥ 0 or Infinity`,
    );
  }
  let items: RhythmEpisode[] = [];
  // Every episode ever added, so one dropped from the list is never added back (a WeakSet: it
  // holds no episode alive).
  const seen = new WeakSet<RhythmEpisode>();
  // Batch slack: compacting only when this many closed episodes are over the bound keeps each
  // add O(1) amortised.
  const slack = Math.max(64, Math.min(maxClosed, 4096));
  // Drops the oldest closed episodes beyond the bound, keeping the order of the rest.
  const compact = (): void => {
    let closed = 0;
    for (const e of items) if (!e.ongoing) closed++;
    let toDrop = closed - maxClosed;
    if (toDrop <= 0) return;
    const kept: RhythmEpisode[] = [];
    for (const e of items) {
      if (!e.ongoing && toDrop > 0) toDrop--;
      else kept.push(e);
    }
    items = kept;
  };
  return {
    add(episode) {
      if (seen.has(episode)) return;
      seen.add(episode);
      items.push(episode);
      if (items.length > maxClosed + slack) compact();
    },
    get list() {
      if (items.length > maxClosed) compact();
      return items;
    },
  };
}
