import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSimulatedDevice } from './create-simulated-device.js';
import { loadWfdbReplay } from './load-wfdb-replay.js';

const record = fileURLToPath(new URL('./fixtures/sine360', import.meta.url));

describe('loadWfdbReplay', () => {
  it('resamples a 360 Hz record to the device rate, keeping amplitude and frequency', async () => {
    const replay = await loadWfdbReplay(record, { fs: 250 });
    expect(replay.fs).toBe(250);
    expect(replay.ecgMv).toHaveLength(500);
    // Away from the edges (the resampler treats the outside as zero), the 1 mV 5 Hz sine
    // survives: compare with the analytic value at each output time.
    for (let j = 100; j < 400; j++) {
      expect(replay.ecgMv[j]).toBeCloseTo(Math.sin((2 * Math.PI * 5 * j) / 250), 1);
    }
  });

  it('reads reference beat times from the annotations, in seconds', async () => {
    const replay = await loadWfdbReplay(record);
    expect(Array.from(replay.beatTimesS ?? [])).toEqual([100 / 360, 388 / 360, 676 / 360]);
    const none = await loadWfdbReplay(record, { annotator: 'missing' });
    expect(none.beatTimesS).toBeUndefined();
  });

  it('feeds a simulated device', async () => {
    const replay = await loadWfdbReplay(record, { fs: 250 });
    const device = createSimulatedDevice({ deviceId: 'REPLAY', replay, seed: 1, startTimeMs: 0 });
    const packet = device.nextPacket();
    expect(packet?.ecg_samples).toHaveLength(250);
    expect(Math.max(...(packet?.ecg_samples ?? [0]))).toBeGreaterThan(0.9);
  });

  it('names the missing lead', async () => {
    await expect(loadWfdbReplay(record, { lead: 3 })).rejects.toThrow(/no lead 3/);
  });
});
