import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, type Registry } from 'prom-client';

export interface MetricsPluginOptions {
  registry: Registry;
}

/**
 * Request counts and latency histograms by route pattern (never the raw URL, which would create
 * a series per device id), served in Prometheus text format at GET /metrics.
 */
function metricsPlugin(
  app: FastifyInstance,
  options: MetricsPluginOptions,
  done: (error?: Error) => void,
): void {
  const { registry } = options;
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests handled',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? '__unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(
    '/metrics',
    {
      config: { loadShedding: false, audit: false },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        response: { 200: { type: 'string', description: 'Prometheus text exposition format' } },
      },
    },
    async (_request, reply) => {
      void reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );
  done();
}

export default fp(metricsPlugin, { name: 'vigil-metrics', fastify: '5.x' });
