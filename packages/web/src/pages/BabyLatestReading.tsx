/** The patient list's view of baby monitors: each baby's latest reading, kept fresh by polling. */
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useServices } from '../app-context.js';
import { loadLatestBabyReadings, type BabyReading } from '../baby/baby-readings.js';
import { fmt, timeAgo } from '../format.js';

const REFRESH_MS = 5000;

/** Each visible baby's latest reading by patient id (empty until the first answer). */
export function useLatestBabyReadings(): ReadonlyMap<string, BabyReading> {
  const { api } = useServices();
  const [latest, setLatest] = useState<ReadonlyMap<string, BabyReading>>(() => new Map());
  useEffect(() => {
    let cancelled = false;
    const load = (): void => {
      loadLatestBabyReadings(api).then(
        (byPatient) => {
          if (!cancelled) setLatest(byPatient);
        },
        () => undefined, // the list is still useful without them; the next poll tries again
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api]);
  return latest;
}

/** One line under a baby's name: temperature, humidity, and a cry or sick flag. */
export function BabyLatestReading({ reading }: { reading: BabyReading | undefined }): ReactNode {
  if (reading === undefined) return null;
  const at = Date.parse(reading.created_at);
  return (
    <div className="muted" data-testid="baby-latest">
      Monitor: {fmt(reading.temperature, 1, '°C')} · {fmt(reading.humidity, 0, '%')}
      {reading.sick_detected ? (
        <>
          {' '}
          · <span className="badge sev-critical">crying, possibly sick</span>
        </>
      ) : reading.cry_detected ? (
        ' · crying'
      ) : (
        ''
      )}{' '}
      · {timeAgo(at)}
    </div>
  );
}
