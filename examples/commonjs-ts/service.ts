/**
 * A TypeScript service compiled to CommonJS (`module: nodenext` in a package without
 * `"type": "module"`), importing the ES-module package with a static import: TypeScript >= 5.8
 * emits `require()`, which Node >= 22.12 serves for an ES module. Standard decorators (no
 * experimentalDecorators) compile to CommonJS as well.
 *
 *   npx tsc -p examples/commonjs-ts && node examples/commonjs-ts/out/service.js
 */
import { Task, initObservability, type ObservabilityHandle } from '@grey/observability';

class Billing {
  @Task({ type: 'billing' })
  async charge(invoice: { taskId: string; tenantId: string; cents: number }): Promise<number> {
    return invoice.cents;
  }
}

async function main(): Promise<void> {
  const obs: ObservabilityHandle = await initObservability();
  const total = await new Billing().charge({ taskId: 'inv-1', tenantId: 'tenant-ts', cents: 1250 });
  const exposition = await obs.metrics.scrape('text');
  const completed = exposition.split('\n').find((line) => line.startsWith('grey_tasks_completed_total{'));
  obs.logger.info(
    { total, completed, format: typeof require === 'function' ? 'commonjs' : 'esm' },
    'commonjs-ts service done',
  );
  await obs.shutdown();
}

void main();
