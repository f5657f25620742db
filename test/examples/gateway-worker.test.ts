import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startHttpReceiver } from '../support/otlp-receiver.js';
import { startExample, type RunningExample } from './support/run-example.js';

const dir = (name: string) => fileURLToPath(new URL(`../../examples/gateway-worker/${name}.js`, import.meta.url));

describe('examples/gateway-worker', () => {
  it("carries the gateway's trace and tenant across a real HTTP hop into the worker's spans, metrics and logs", async () => {
    const receiver = await startHttpReceiver();
    const common = {
      GREY_PROMETHEUS_HOST: '127.0.0.1',
      GREY_PROMETHEUS_PORT: '0',
      GREY_OTEL_EXPORTER_PROTOCOL: 'http/protobuf',
      GREY_OTEL_EXPORTER_ENDPOINT: receiver.url,
    };
    const running: RunningExample[] = [];
    try {
      // The worker keeps the default parent-based ratio sampler: it follows the gateway's decision.
      const worker = startExample([dir('worker')], { ...common, GREY_SERVICE_NAME: 'worker', WORKER_PORT: '0' });
      running.push(worker);
      const workerReady = await worker.waitForLine('worker ready');
      const gateway = startExample([dir('gateway')], {
        ...common,
        GREY_SERVICE_NAME: 'gateway',
        GREY_OTEL_SAMPLING_STRATEGY: 'always_on',
        GATEWAY_PORT: '0',
        WORKER_URL: String(workerReady.url),
      });
      running.push(gateway);
      const gatewayReady = await gateway.waitForLine('gateway ready');

      const response = await fetch(String(gatewayReady.url), {
        method: 'POST',
        headers: { 'x-tenant-id': 'acme' },
        body: 'hello',
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { output: 'olleh', tenant: 'acme' });

      const exposition = await (await fetch(String(workerReady.metrics))).text();
      assert.match(
        exposition,
        /^grey_tasks_completed_total\{[^}]*tenant="acme"[^}]*\} 1$/m,
        'worker metrics carry the tenant',
      );

      const openMetrics = await (
        await fetch(String(workerReady.metrics), { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })
      ).text();
      const exemplar =
        /^grey_task_duration_seconds_bucket\{[^}]*tenant="acme"[^}]*\} \d+ # \{[^}]*trace_id="([0-9a-f]{32})"/m.exec(
          openMetrics,
        );
      assert.ok(exemplar, 'the task duration carries an exemplar');

      for (const process of running) assert.equal(await process.stop(), 0);
      const spans = await receiver.waitForSpans(4, 10_000);
      const request = spans.find((s) => s.name === 'grey.request' && s.resource['service.name'] === 'gateway');
      const run = spans.find((s) => s.name === 'grey.task.run' && s.resource['service.name'] === 'worker');
      assert.ok(
        request && run,
        `gateway and worker spans, got ${spans.map((s) => `${s.resource['service.name']}:${s.name}`).join(', ')}`,
      );
      assert.equal(run.traceId, request.traceId, "the worker's task span is in the gateway's trace");
      assert.equal(exemplar[1], request.traceId, "the worker's metric exemplar names the gateway's trace");
      assert.equal(run.attributes['grey.tenant_id'], 'acme', 'the tenant came in the baggage');
      assert.equal(request.attributes.tenant, 'acme');
      const hop = spans.filter(
        (s) => s.traceId === request.traceId && s.resource['service.name'] === 'worker' && s.kind === 2,
      );
      assert.equal(hop.length, 1, 'one server span in the worker');
      assert.equal(run.parentSpanId, hop[0]?.spanId, 'the task runs inside the server span of the hop');

      const line = worker.lines.find((l) => l.msg === 'working on the task');
      assert.equal(line?.trace_id, request.traceId, "the worker's log line carries the gateway's trace");
      assert.equal(line?.tenant_id, 'acme');
    } finally {
      await Promise.all(running.map((process) => process.stop()));
      await receiver.close();
    }
  });
});
