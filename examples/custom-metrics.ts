/**
 * Registers the spec's custom metrics ("Adding Custom Metrics") on the package's registry, records
 * a few operations, scrapes the endpoint once and prints the custom series. Exits by itself.
 *
 *   npm run build && node dist/examples/custom-metrics.js
 */
import { pino } from 'pino';
import { schemaDefaults } from '../src/config/defaults.js';
import { createMetrics, startMetricsServer } from '../src/metrics/index.js';

const config = schemaDefaults();
config.prometheus.host = '127.0.0.1';
config.prometheus.port = 0; // any free port
config.prometheus.default_metrics = false;

const metrics = createMetrics(config, pino({ level: 'warn' }));

const customOps = metrics.counter({
  name: 'grey_custom_operations_total',
  help: 'Total custom operations',
  labels: ['tenant'], // tenant-aware: guarded, and taken from baggage grey.tenant_id when omitted
});
const customLatency = metrics.histogram({
  name: 'grey_custom_operation_duration_seconds',
  help: 'Custom operation latency',
  buckets: [0.001, 0.01, 0.1, 1.0, 10.0],
});

async function myOperation(tenant: string): Promise<void> {
  const stopTimer = customLatency.startTimer();
  await new Promise((resolve) => setTimeout(resolve, 5)); // ... do work ...
  stopTimer();
  customOps.inc({ tenant });
}

await Promise.all(['tenant-123', 'tenant-123', 'tenant-456'].map(myOperation));

const server = await startMetricsServer(config, metrics);
try {
  const exposition = await (await fetch(server.url)).text();
  const custom = exposition.split('\n').filter((line) => line.startsWith('grey_custom_'));
  process.stdout.write(`${custom.join('\n')}\n`);
} finally {
  await server.close();
}
