/**
 * The gateway of the gateway/worker pair: takes `POST /jobs` with an `x-tenant-id` header, puts
 * the tenant into the `grey.tenant_id` baggage entry with withTenant(), and calls the worker
 * (worker.ts, another process) with fetch. The automatic fetch span injects the W3C traceparent
 * and baggage headers, so the worker's spans, metrics and logs carry this trace and tenant.
 * (With `opentelemetry.instrumentations.fetch: false`, pass `headers: injectContext({})`.)
 *
 *   WORKER_URL=http://127.0.0.1:3001 GATEWAY_PORT=3000 GREY_PROMETHEUS_PORT=9465 \
 *     node dist/examples/gateway-worker/gateway.js
 *   curl -XPOST -H 'x-tenant-id: acme' 127.0.0.1:3000/jobs -d 'hello'
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Instrument, SpanNames, initObservability, withTenant } from '@grey/observability';
import { exitOnStartError, listenOrExit } from '../support/listen.js';

const obs = await initObservability().catch(exitOnStartError);
const workerUrl = process.env.WORKER_URL ?? 'http://127.0.0.1:3001';

class Gateway {
  @Instrument({ name: SpanNames.REQUEST, fields: ['tenant'], skip: ['input'] })
  async submit(tenant: string, input: string): Promise<unknown> {
    return withTenant(tenant, async () => {
      obs.logger.info('forwarding the job to the worker');
      const response = await fetch(`${workerUrl}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ taskId: `job-${Date.now()}`, input }),
      });
      return response.json();
    });
  }
}

const gateway = new Gateway();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += chunk;
  const tenant = String(req.headers['x-tenant-id'] ?? 'anonymous');
  try {
    const result = await gateway.submit(tenant, body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  } catch (err) {
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
  }
}

const server = createServer((req, res) => void handle(req, res));
const port = await listenOrExit(server, 'GATEWAY_PORT', 3000);
obs.logger.info({ url: `http://127.0.0.1:${port}/jobs`, worker: workerUrl }, 'gateway ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void obs.shutdown();
  });
}
