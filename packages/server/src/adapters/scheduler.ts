/**
 * Periodic work (sweeps, retention, cache eviction) goes through this port, so the composition
 * root owns every timer and tests can run a task by hand instead of waiting for it.
 */
export interface Scheduler {
  /**
   * Runs `task` every `periodMs`, counted from now; with `firstAfterMs`, also once after that
   * delay (a first run sooner than the period). Returns the function that cancels both.
   */
  every(periodMs: number, task: () => void, options?: { firstAfterMs?: number }): () => void;
}

/** Node timers, unref'd: a scheduled task never keeps the process alive. */
export const timerScheduler: Scheduler = {
  every(periodMs, task, options) {
    const first =
      options?.firstAfterMs === undefined ? undefined : setTimeout(task, options.firstAfterMs);
    const every = setInterval(task, periodMs);
    first?.unref();
    every.unref();
    return () => {
      if (first !== undefined) clearTimeout(first);
      clearInterval(every);
    };
  },
};
