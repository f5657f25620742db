import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resolveExporterEndpoint } from '../../src/tracing/exporter.js';
import { SpanAttributes, SpanNames } from '../../src/tracing/span-names.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';
import { countsOf } from './support/health-counts.js';

const TOKEN = 'token-4f1c';

describe('resolveExporterEndpoint', () => {
  const cases: Array<[string, 'grpc' | 'http/protobuf', string]> = [
    ['', 'grpc', 'http://localhost:4317'],
    ['', 'http/protobuf', 'http://localhost:4318/v1/traces'],
    ['http://collector:4318', 'http/protobuf', 'http://collector:4318/v1/traces'],
    ['http://collector:4318/', 'http/protobuf', 'http://collector:4318/v1/traces'],
    ['https://collector/otlp/v1/traces', 'http/protobuf', 'https://collector/otlp/v1/traces'],
    ['http://otel-collector:4317', 'grpc', 'http://otel-collector:4317'],
  ];
  for (const [endpoint, protocol, expected] of cases) {
    it(`maps ${protocol} endpoint "${endpoint}" to ${expected}`, () => {
      assert.equal(resolveExporterEndpoint({ protocol, endpoint }), expected);
    });
  }
});

for (const protocol of ['http/protobuf', 'grpc'] as const) {
  describe(`OTLP export over ${protocol}`, () => {
    let receiver: OtlpReceiver | undefined;
    let tracing: Tracing | undefined;

    afterEach(async () => {
      await stopTracingAndReceiver(tracing, receiver);
      tracing = undefined;
      receiver = undefined;
    });

    it('delivers the span tree with names, parent links, attributes, resource and the Authorization header', async () => {
      receiver = protocol === 'grpc' ? await startGrpcReceiver() : await startHttpReceiver();
      const config = tracingConfig(receiver.url, protocol, {
        opentelemetry: {
          exporter: {
            protocol,
            endpoint: receiver.url,
            headers: { Authorization: `Bearer ${TOKEN}` },
            timeout_ms: 2000,
          },
          resource: { 'deployment.region': 'eu-west-1', 'service.namespace': 'grey' },
        },
      });
      tracing = await startTracing(config, captureLogger().logger);
      const tracer = tracing.tracer;

      withTenant('tenant-123', () => {
        tracer.startActiveSpan(SpanNames.REQUEST, { kind: SpanKind.SERVER }, (request) => {
          tracer.startActiveSpan(SpanNames.SCHEDULER_SUBMIT_TASK, (submit) => {
            tracer.startSpan(SpanNames.CONSENSUS_PROPOSE).end();
            submit.end();
          });
          tracer.startActiveSpan(
            SpanNames.WORKER_EXECUTE,
            { attributes: { [SpanAttributes.TASK_ID]: 'task-9', [SpanAttributes.TEE_PLATFORM]: 'sgx' } },
            (worker) => {
              worker.setStatus({ code: SpanStatusCode.ERROR, message: 'enclave lost' });
              worker.end();
            },
          );
          request.end();
        });
      });

      const spans = await receiver.waitForSpans(4);
      assert.equal(spans.length, 4);
      const byName = new Map(spans.map((s) => [s.name, s]));
      const request = byName.get(SpanNames.REQUEST);
      const submit = byName.get(SpanNames.SCHEDULER_SUBMIT_TASK);
      const propose = byName.get(SpanNames.CONSENSUS_PROPOSE);
      const worker = byName.get(SpanNames.WORKER_EXECUTE);
      assert.ok(request && submit && propose && worker, `all four spans arrive: ${[...byName.keys()].join(', ')}`);

      assert.equal(request.parentSpanId, '');
      assert.equal(request.kind, 2, 'SERVER');
      assert.equal(submit.parentSpanId, request.spanId);
      assert.equal(propose.parentSpanId, submit.spanId);
      assert.equal(worker.parentSpanId, request.spanId);
      assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace');

      assert.equal(worker.attributes['grey.task_id'], 'task-9');
      assert.equal(worker.attributes['grey.tee.platform'], 'sgx');
      assert.deepEqual(worker.status, { code: 2, message: 'enclave lost' });
      for (const span of spans) assert.equal(span.attributes['grey.tenant_id'], 'tenant-123', span.name);

      assert.equal(request.scope, '@grey/observability');
      assert.equal(request.resource['service.name'], 'tracing-test');
      assert.equal(request.resource['service.version'], '1.2.3');
      assert.equal(request.resource['deployment.environment'], 'test');
      assert.equal(request.resource['service.instance.id'], 'i-1');
      assert.equal(request.resource['deployment.region'], 'eu-west-1');
      assert.equal(request.resource['service.namespace'], 'grey');
      assert.equal(request.resource['telemetry.sdk.language'], 'nodejs');

      assert.ok(receiver.requests.length >= 1);
      for (const req of receiver.requests) assert.equal(req.headers['authorization'], `Bearer ${TOKEN}`);
      await tracing.shutdown(2000);
      assert.equal(countsOf(tracing.health()).exported, 4, 'the collector acknowledged all four');
    });

    it('ignores OTEL_* variables: the config alone decides headers and enablement', async () => {
      receiver = protocol === 'grpc' ? await startGrpcReceiver() : await startHttpReceiver();
      const saved = { ...process.env };
      process.env.OTEL_SDK_DISABLED = 'true';
      process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-from-env=leaked';
      process.env.OTEL_SERVICE_NAME = 'from-env';
      try {
        tracing = await startTracing(tracingConfig(receiver.url, protocol), captureLogger().logger);
      } finally {
        for (const name of ['OTEL_SDK_DISABLED', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_SERVICE_NAME']) {
          if (saved[name] === undefined) delete process.env[name];
          else process.env[name] = saved[name];
        }
      }
      tracing.tracer.startSpan(SpanNames.TASK_RUN).end();
      const spans = await receiver.waitForSpans(1);
      assert.equal(spans.length, 1);
      assert.equal(spans[0]?.resource['service.name'], 'tracing-test');
      assert.equal(receiver.requests[0]?.headers['x-from-env'], undefined);
    });
  });
}
