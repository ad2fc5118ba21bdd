import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { SignalInputError, type Ecg12Model, type Ecg12Result } from '@vigil/signal';
import type { AnalysisRequest, EcgAnalysisPort, PacketAnalysis } from './ecg-analysis.adapter.js';
import type {
  AnalysisJob,
  AnalysisWorkerData,
  FromWorker,
  ToWorker,
} from './ecg-analysis.protocol.js';

export interface EcgAnalysisWorkersOptions {
  /** Worker threads (at least 1). A device always goes to the same one (its sessions live there). */
  workers: number;
  /** Failures the analysis survives: an arrhythmia model that threw, a worker that died. */
  onError?: (error: Error) => void;
  /** Heap limits of each worker (Node's `resourceLimits`); a worker over them dies and is replaced. */
  resourceLimits?: ResourceLimits;
  /** The trained 12-lead model (ECG12_MODEL_PATH) live 12-lead windows are scored with. */
  ecg12Model?: Ecg12Model | undefined;
}

interface Pending {
  resolve: (a: PacketAnalysis | Ecg12Result) => void;
  reject: (e: Error) => void;
}

interface Shard {
  worker: Worker;
  /** Times (ms) of the worker's recent unexpected exits; too many and it is not replaced. */
  exits: number[];
  /** Replacing the worker was given up: its jobs fail at once (packets stored unanalysed). */
  failed: boolean;
  pending: Map<number, Pending>;
  queue: AnalysisJob[];
  flushScheduled: boolean;
}

/**
 * The URL of the server bundle this module was built into (esbuild's `define`, in
 * packages/server/scripts/bundle.mjs); not defined when it runs from its TypeScript source.
 */
declare const VIGIL_BUNDLE_URL: string | undefined;

/**
 * The worker's program, as one CommonJS script: its entry and the parts of @vigil/signal it
 * imports. A built server (`npm start`, bench/ingest) reads the script `npm run build` wrote
 * beside it. From the sources (`npm run dev`, the tests) it is bundled here, in memory, with
 * esbuild, a development dependency imported only then: a worker thread does not inherit a
 * test runner's TypeScript loader.
 */
async function workerScript(): Promise<string> {
  if (typeof VIGIL_BUNDLE_URL === 'string')
    return readFile(new URL('./ecg-analysis.worker.cjs', VIGIL_BUNDLE_URL), 'utf8');
  const { build } = await import('esbuild');
  const entry = fileURLToPath(new URL('./ecg-analysis.worker.ts', import.meta.url));
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['vigil-source'],
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no ECG analysis worker');
  return file.text;
}

const MAX_EXITS = 5;
const EXIT_WINDOW_MS = 60_000;

/** FNV-1a: a stable, cheap spread of device ids over the workers. */
function shardOf(deviceId: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % n;
}

/**
 * ECG analysis in worker threads. On the main thread the analysis was 42 % of the server's CPU at
 * its maximum ingest rate (bench/ingest, CPU profile), all of it in line with HTTP parsing and
 * database commits; in workers it runs on other cores while the event loop serves requests.
 *
 * Each device is pinned to one worker, which keeps its sessions; the ingest service analyses a
 * device's packets one at a time, so their order is kept. Jobs queued in one turn of the event
 * loop go to a worker in one message (setImmediate), which amortises the message cost over the
 * devices whose requests arrived together. A worker that dies fails its pending jobs (the ingest
 * service then stores and scores those packets without their ECG findings) and is replaced; its
 * devices' sessions restart with their next packet, as after a gap.
 */
export async function startEcgAnalysisWorkers(
  options: EcgAnalysisWorkersOptions,
): Promise<EcgAnalysisPort> {
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new RangeError(`workers must be an integer ≥ 1, got ${String(options.workers)}`);
  const code = await workerScript();
  let nextId = 1;
  let closing = false;
  const report = (e: Error): void => {
    options.onError?.(e);
  };

  const spawn = (shard: Shard): Worker => {
    const workerData: AnalysisWorkerData = { ecg12Model: options.ecg12Model };
    const worker = new Worker(code, {
      eval: true,
      workerData,
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
    });
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'warning') {
        const e = new Error(m.message);
        if (m.stack !== undefined) e.stack = m.stack;
        report(e);
        return;
      }
      for (const r of m.results) {
        const p = shard.pending.get(r.id);
        if (p === undefined) continue;
        shard.pending.delete(r.id);
        if ('error' in r)
          p.reject(
            r.input === undefined
              ? new Error(`ECG analysis failed: ${r.error}`)
              : new SignalInputError(r.input.code, r.input.field, r.error),
          );
        else p.resolve('ecg12' in r ? r.ecg12 : r.analysis);
      }
    });
    worker.on('error', (e) => {
      report(e);
    });
    worker.on('exit', (exitCode) => {
      // A replaced worker's late exit concerns nobody.
      if (shard.worker !== worker) return;
      const lost = new Error(`ECG analysis worker exited (code ${String(exitCode)})`);
      for (const p of shard.pending.values()) p.reject(lost);
      shard.pending.clear();
      if (closing) return;
      report(lost);
      // A worker that dies again and again (a broken bundle, memory exhausted at once) is not
      // restarted in a tight loop: after MAX_EXITS in EXIT_WINDOW_MS its shard fails fast.
      const now = Date.now();
      shard.exits = shard.exits.filter((t) => now - t < EXIT_WINDOW_MS);
      shard.exits.push(now);
      if (shard.exits.length >= MAX_EXITS) {
        shard.failed = true;
        report(
          new Error(
            `ECG analysis worker died ${String(MAX_EXITS)} times in a minute; not restarted`,
          ),
        );
        return;
      }
      shard.worker = spawn(shard);
    });
    return worker;
  };

  const shards: Shard[] = [];
  for (let i = 0; i < options.workers; i++) {
    const shard: Shard = {
      worker: undefined as unknown as Worker,
      exits: [],
      failed: false,
      pending: new Map(),
      queue: [],
      flushScheduled: false,
    };
    shard.worker = spawn(shard);
    shards.push(shard);
  }

  const send = (s: Shard, m: ToWorker): void => {
    // The chunks are the pool's own copies (see analyse): moved, not cloned.
    s.worker.postMessage(
      m,
      m.type === 'analyse'
        ? m.jobs.flatMap((j) => [j.chunkMv.buffer, ...(j.leadsMv ?? []).map((l) => l.buffer)])
        : [],
    );
  };
  const flush = (s: Shard): void => {
    s.flushScheduled = false;
    const jobs = s.queue;
    s.queue = [];
    if (jobs.length > 0) send(s, { type: 'analyse', jobs });
  };

  const shardFor = (deviceId: string): Shard => {
    if (closing) throw new Error('ECG analysis is closed');
    const s = shards[shardOf(deviceId, shards.length)];
    if (s === undefined) throw new Error('no ECG analysis worker');
    if (s.failed) throw new Error('ECG analysis worker unavailable');
    return s;
  };

  return {
    analyse(request: AnalysisRequest) {
      let s: Shard;
      try {
        s = shardFor(request.deviceId);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const id = nextId++;
      return new Promise<PacketAnalysis>((resolve, reject) => {
        s.pending.set(id, { resolve: resolve as Pending['resolve'], reject });
        // A copy of its own, which the message then transfers instead of cloning (about half of
        // postMessage's cost per job, measured with 1 to 16 jobs per message).
        s.queue.push({
          ...request,
          chunkMv: request.chunkMv.slice(),
          leadsMv: request.leadsMv?.map((l) => l.slice()) ?? null,
          id,
        });
        if (!s.flushScheduled) {
          s.flushScheduled = true;
          setImmediate(flush, s);
        }
      });
    },
    interpretEcg12(request) {
      let s: Shard;
      try {
        s = shardFor(request.deviceId);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const id = nextId++;
      return new Promise<Ecg12Result>((resolve, reject) => {
        s.pending.set(id, { resolve: resolve as Pending['resolve'], reject });
        // Copies of its own, transferred (10 s × 12 leads at 500 Hz is 480 kB).
        const leadsMv = request.leadsMv.map((l) => l.slice());
        s.worker.postMessage(
          {
            type: 'interpret12',
            job: { id, deviceId: request.deviceId, fsHz: request.fsHz, leadsMv },
          },
          leadsMv.map((l) => l.buffer),
        );
      });
    },
    evictIdle(olderThanMs) {
      for (const s of shards) send(s, { type: 'evict-idle', olderThanMs });
    },
    async close() {
      if (closing) return;
      closing = true;
      await Promise.all(
        shards.map(async (s) => {
          if (s.failed) return;
          flush(s);
          // Jobs already sent are answered before the worker reads 'close' (messages are FIFO).
          const exited = new Promise<void>((resolve) => {
            s.worker.once('exit', () => {
              resolve();
            });
          });
          send(s, { type: 'close' });
          await exited;
        }),
      );
    },
  };
}
