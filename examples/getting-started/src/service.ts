import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initObservability, Task, withTenant } from '@grey/observability';

// Reads observability.yaml from the working directory (or GREY_OBSERVABILITY_CONFIG).
const obs = await initObservability();

class Worker {
  // Span grey.task.run, grey_tasks_{submitted,completed,failed}_total, grey_task_duration_seconds.
  @Task({ type: 'stateless' })
  async run(job: { taskId: string; tenantId: string }): Promise<string> {
    obs.logger.info({ task: job.taskId }, 'working'); // carries trace_id, span_id, tenant_id
    return `done ${job.taskId}`;
  }
}

const worker = new Worker();
let next = 0;
const server = createServer((request, response) => {
  const tenantId = String(request.headers['x-tenant-id'] ?? 'anonymous');
  withTenant(tenantId, () => worker.run({ taskId: `task-${++next}`, tenantId })).then(
    (result) => response.end(`${result}\n`),
    () => response.writeHead(500).end(),
  );
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  obs.logger.info({ api: `http://127.0.0.1:${port}`, metrics: obs.metricsServer?.url }, 'service ready');
});

// Ctrl-C (SIGINT) and SIGTERM: stop taking requests, flush the spans, then end as Node would have.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void obs.shutdown().finally(() => process.kill(process.pid, signal));
  });
}
