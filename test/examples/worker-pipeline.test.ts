import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startHttpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { createTempDir } from '../support/temp-dir.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/worker-pipeline.js', import.meta.url));

/** The spec's span hierarchy (monitoring-integration.md, "Span Hierarchy"): child -> parent. */
const PARENT_OF: Record<string, string> = {
  'grey.auth.validate_token': 'grey.request',
  'grey.scheduler.submit_task': 'grey.request',
  'grey.consensus.propose': 'grey.scheduler.submit_task',
  'grey.consensus.replicate': 'grey.consensus.propose',
  'grey.storage.persist': 'grey.scheduler.submit_task',
  'grey.worker.execute': 'grey.request',
  'grey.tee.enter_enclave': 'grey.worker.execute',
  'grey.task.run': 'grey.worker.execute',
  'grey.tee.exit_enclave': 'grey.worker.execute',
  'grey.response.build': 'grey.request',
};

describe('examples/worker-pipeline', () => {
  it('records the spec span hierarchy, and the task log lines carry its trace and tenant', async () => {
    const receiver = await startHttpReceiver();
    const cwd = createTempDir();
    try {
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [EXAMPLE],
          {
            cwd: cwd.path,
            timeout: 60_000,
            env: {
              PATH: process.env.PATH,
              EXAMPLE_TASKS: '2',
              GREY_SERVICE_NAME: 'pipeline-worker',
              GREY_PROMETHEUS_ENABLED: 'false',
              GREY_OTEL_EXPORTER_PROTOCOL: 'http/protobuf',
              GREY_OTEL_EXPORTER_ENDPOINT: receiver.url,
              GREY_OTEL_SAMPLING_STRATEGY: 'always_on',
            },
          },
          (error, out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out)),
        ),
      );
      const spans = await receiver.waitForSpans(22, 10_000);
      assert.equal(spans.length, 22, `11 spans per request, got ${spans.map((s) => s.name).join(', ')}`);
      const roots = spans.filter((span) => span.name === 'grey.request');
      assert.equal(roots.length, 2);
      for (const root of roots) {
        assert.equal(root.parentSpanId, '', 'grey.request is the root');
        assert.equal(root.resource['service.name'], 'pipeline-worker');
        const trace = spans.filter((span) => span.traceId === root.traceId);
        const byId = new Map<string, ReceivedSpan>(trace.map((span) => [span.spanId, span]));
        assert.deepEqual(
          trace.map((span) => span.name).sort(),
          ['grey.request', ...Object.keys(PARENT_OF)].sort(),
          'every span of the hierarchy, once',
        );
        for (const span of trace) {
          if (span.name === 'grey.request') continue;
          assert.equal(byId.get(span.parentSpanId)?.name, PARENT_OF[span.name], `parent of ${span.name}`);
        }
        const run = trace.find((span) => span.name === 'grey.task.run');
        assert.equal(run?.attributes['grey.tenant_id'], 'tenant-123');
        assert.equal(run?.attributes['grey.task_type'], 'stateless');
        assert.equal(trace.find((s) => s.name === 'grey.tee.enter_enclave')?.attributes['grey.tee.platform'], 'sgx');
        assert.equal(root.attributes['job.tenantId'], 'tenant-123', 'a field of @Instrument');
        assert.equal(root.attributes.token, undefined, 'skip keeps the token out');
      }
      const lines = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const working = lines.filter((line) => line.msg === 'running the task');
      assert.equal(working.length, 2);
      for (const line of working) {
        const run = spans.find((span) => span.name === 'grey.task.run' && span.spanId === line.span_id);
        assert.ok(run, 'the log line names the grey.task.run span');
        assert.equal(line.trace_id, run.traceId);
        assert.equal(line.tenant_id, 'tenant-123');
      }
    } finally {
      cwd.remove();
      await receiver.close();
    }
  });
});
