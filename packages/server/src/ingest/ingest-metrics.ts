import { Counter, type Registry } from 'prom-client';

/**
 * Counts what the ingest core stored and what it recognised as retries, by kind of signal, and
 * the uploads handed to another instance.
 */
export interface IngestMetrics {
  count(kind: string, stored: number, duplicates: number): void;
  /** An upload handed to its device's owner instance: answered there, or handled here. */
  forwarded(outcome: 'answered' | 'failed'): void;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const readings = new Counter({
    name: 'vigil_ingest_readings_total',
    help: 'Device readings ingested, by kind of signal and outcome (stored, duplicate)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const forwards = new Counter({
    name: 'vigil_ingest_forwarded_total',
    help: "Uploads handed to their device's owner instance, by outcome (answered there; failed: handled here)",
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    forwarded(outcome) {
      forwards.inc({ outcome });
    },
    count(kind, stored, duplicates) {
      if (stored > 0) readings.inc({ kind, outcome: 'stored' }, stored);
      if (duplicates > 0) readings.inc({ kind, outcome: 'duplicate' }, duplicates);
    },
  };
}
