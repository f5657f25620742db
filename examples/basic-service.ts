// A small task service instrumented by @grey/observability on the embedded default config.
//   npm run example            -> task API on 127.0.0.1:3000, metrics on :9090/metrics
//   curl -XPOST -H 'x-tenant-id: tenant-123' 127.0.0.1:3000/tasks
// EXAMPLE_PORT sets the API port (default 3000; 0 picks a free one), GREY_PROMETHEUS_PORT the
// metrics port (default 9090, which is also Prometheus's own). A port in use ends it with a message
// that names the variable to change. Ctrl-C or SIGTERM stops it through shutdown().
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { extractContext, initObservability, Task, withTenant } from '@grey/observability';
import { context } from '@opentelemetry/api';
import { exitOnStartError, listenOrExit } from './support/listen.js';

const obs = await initObservability().catch(exitOnStartError);

interface TaskRequest {
  /** Read by @Task as the span attribute grey.task_id. */
  taskId: string;
  /** Read by @Task as the tenant (labels, baggage, span attribute grey.tenant_id). */
  tenantId: string;
  fail: boolean;
}

class TaskHandler {
  @Task({ type: 'stateless' })
  async process(task: TaskRequest): Promise<{ id: string; ms: number }> {
    const ms = 5 + Math.round(Math.random() * 20);
    await sleep(ms);
    if (task.fail) throw new Error(`task ${task.taskId} failed on purpose`);
    return { id: task.taskId, ms };
  }
}

const handler = new TaskHandler();
let nextId = 1;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'POST' && req.url?.startsWith('/tasks')) {
    const tenant = String(req.headers['x-tenant-id'] ?? 'tenant-123');
    const task = { taskId: `task-${nextId++}`, tenantId: tenant, fail: req.url.includes('fail=1') };
    const parent = extractContext(req.headers);
    try {
      const result = await context.with(parent, () => withTenant(tenant, () => handler.process(task)));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
    }
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end('POST /tasks (header x-tenant-id, ?fail=1 to fail)\n');
}

const server = createServer((req, res) => void handle(req, res));
const port = await listenOrExit(server, 'EXAMPLE_PORT', 3000);
obs.logger.info(
  { api: `http://127.0.0.1:${port}/tasks`, metrics: obs.metricsServer?.url ?? null },
  'example service ready',
);

// The service owns its signals; the library only offers shutdown().
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void obs.shutdown().then(() => {
      process.exitCode = 0;
    });
  });
}
