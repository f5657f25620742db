/**
 * The worker of the gateway/worker pair: takes tasks over HTTP from gateway.ts in another process.
 * It does nothing for propagation by hand: the automatic HTTP server span continues the gateway's
 * trace (W3C traceparent) and restores its baggage, so `@Task` reads the tenant the gateway put
 * in the `grey.tenant_id` baggage entry, and the task's span, metrics and log lines carry both.
 *
 *   GREY_PROMETHEUS_PORT=9464 WORKER_PORT=3001 node dist/examples/gateway-worker/worker.js
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanNames, Task, currentTenant, initObservability } from '@grey/observability';
import { exitOnStartError, listenOrExit } from '../support/listen.js';

const obs = await initObservability().catch(exitOnStartError);

interface WorkItem {
  taskId: string;
  input: string;
}

class TaskRunner {
  // No tenantId on the argument: @Task takes the tenant from the baggage of the incoming request.
  @Task({ type: 'stateless', name: SpanNames.TASK_RUN })
  async run(item: WorkItem): Promise<string> {
    obs.logger.info({ task: item.taskId }, 'working on the task');
    await sleep(3);
    return item.input.split('').reverse().join('');
  }
}

const runner = new TaskRunner();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    const item = JSON.parse(body) as WorkItem;
    const output = await runner.run(item);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ output, tenant: currentTenant() }));
  } catch (err) {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
  }
}

const server = createServer((req, res) => void handle(req, res));
const port = await listenOrExit(server, 'WORKER_PORT', 3001);
obs.logger.info({ url: `http://127.0.0.1:${port}`, metrics: obs.metricsServer?.url ?? null }, 'worker ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void obs.shutdown();
  });
}
