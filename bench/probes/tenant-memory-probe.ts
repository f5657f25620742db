/**
 * Child process of the tenant_memory bench (run with --expose-gc): prints the heap growth in bytes
 * after `ids` distinct tenant ids went through one counter, `package` (the catalog's tenant-aware
 * grey_tasks_submitted_total) or `prom-client` (a counter with a raw tenant label).
 */
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/index.js';
import { testConfig } from '../../test/support/config.js';

const [variant, idsArg] = process.argv.slice(2);
const ids = Number(idsArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

let inc: (tenant: string) => void;
let keep: unknown;
if (variant === 'package') {
  const metrics = createMetrics(testConfig({ prometheus: { default_metrics: false } }), pino({ level: 'silent' }));
  keep = metrics;
  inc = (tenant) => metrics.tasks.submitted.inc({ type: 'stateless', tenant });
} else {
  const registry = new Registry();
  const counter = new Counter({
    name: 'grey_tasks_submitted_total',
    help: 'h',
    labelNames: ['type', 'tenant'],
    registers: [registry],
  });
  keep = registry;
  inc = (tenant) => counter.inc({ type: 'stateless', tenant });
}
inc('warm-up');
const before = heap();
for (let i = 0; i < ids; i++) inc(`tenant-${i}`);
const after = heap();
process.stdout.write(`${after - before}\n`);
if (keep === undefined) process.exit(1);
