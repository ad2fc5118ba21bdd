import { Counter, type Registry } from 'prom-client';

/** Counts what the ingest core stored and what it recognised as retries, by kind of signal. */
export interface IngestMetrics {
  count(kind: string, stored: number, duplicates: number): void;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const readings = new Counter({
    name: 'vigil_ingest_readings_total',
    help: 'Device readings ingested, by kind of signal and outcome (stored, duplicate)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  return {
    count(kind, stored, duplicates) {
      if (stored > 0) readings.inc({ kind, outcome: 'stored' }, stored);
      if (duplicates > 0) readings.inc({ kind, outcome: 'duplicate' }, duplicates);
    },
  };
}
