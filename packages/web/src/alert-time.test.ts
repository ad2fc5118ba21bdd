import { describe, expect, it } from 'vitest';
import { alertEventTime } from './alert-time.js';

const iso = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const T = Date.UTC(2026, 11, 7, 6, 0, 0);

describe('alertEventTime', () => {
  it('gives the data time of the event and how much later an hour-late upload reported it', () => {
    expect(alertEventTime({ onset_at: T, opened_at: T + 3_600_000 + 1_000 }, iso)).toEqual({
      text: 'event at 06:00:00, reported 1 h later',
      lateMs: 3_601_000,
    });
    expect(alertEventTime({ onset_at: T, opened_at: T + 95 * 60_000 }, iso)?.text).toBe(
      'event at 06:00:00, reported 1 h 35 min later',
    );
  });

  it('gives the event time alone for data analysed as it came (under a minute)', () => {
    expect(alertEventTime({ onset_at: T, opened_at: T + 30_000 }, iso)).toEqual({
      text: 'event at 06:00:00',
      lateMs: null,
    });
  });

  it('gives nothing for an alert no data opened (manual, device silent)', () => {
    expect(alertEventTime({ onset_at: null, opened_at: T }, iso)).toBeNull();
  });
});
