import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { buildPropagator } from '../../src/tracing/build-propagator.js';
import { extractContext, injectContext } from '../../src/tracing/propagation.js';
import { SpanNames } from '../../src/tracing/span-names.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { currentTenant } from '../../src/tenancy/tenant-context.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { testConfig } from '../support/config.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';

interface HopReport {
  tenant: string | undefined;
  traceparent: string | undefined;
  baggage: string | undefined;
}

/** A loopback service that extracts the incoming context, starts its server span and reports. */
async function startDownstream(tracing: Tracing): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const incoming = extractContext(req.headers, ROOT_CONTEXT);
    context.with(incoming, () => {
      tracing.tracer.startActiveSpan(SpanNames.REQUEST, { kind: SpanKind.SERVER }, (span) => {
        const report: HopReport = {
          tenant: currentTenant(),
          traceparent: req.headers['traceparent'] as string | undefined,
          baggage: req.headers['baggage'] as string | undefined,
        };
        span.end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(report));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tasks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function get(url: string, headers: Record<string, string>): Promise<HopReport> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(JSON.parse(body) as HopReport));
      })
      .on('error', reject);
  });
}

describe('propagation over a real HTTP hop', () => {
  let receiver: OtlpReceiver | undefined;
  let tracing: Tracing | undefined;

  afterEach(async () => {
    await stopTracingAndReceiver(tracing, receiver);
    tracing = undefined;
    receiver = undefined;
  });

  it('carries the trace and the baggage tenant with injectContext/extractContext', async () => {
    receiver = await startHttpReceiver();
    tracing = await startTracing(tracingConfig(receiver.url, 'http/protobuf'), captureLogger().logger);
    const downstream = await startDownstream(tracing);
    try {
      const tracer = tracing.tracer;
      const { report, clientTraceId, clientSpanId } = await withTenant('tenant-42', () =>
        tracer.startActiveSpan(SpanNames.SCHEDULER_SUBMIT_TASK, { kind: SpanKind.CLIENT }, async (span) => {
          const hop = await get(downstream.url, injectContext({}));
          span.end();
          return { report: hop, clientTraceId: span.spanContext().traceId, clientSpanId: span.spanContext().spanId };
        }),
      );
      assert.equal(report.tenant, 'tenant-42');
      assert.match(report.baggage ?? '', /grey\.tenant_id=tenant-42/);
      assert.equal(report.traceparent, `00-${clientTraceId}-${clientSpanId}-01`);

      const spans = await receiver.waitForSpans(2);
      const server = spans.find((s) => s.name === SpanNames.REQUEST);
      assert.ok(server);
      assert.equal(server.traceId, clientTraceId);
      assert.equal(server.parentSpanId, clientSpanId);
      assert.equal(server.attributes['grey.tenant_id'], 'tenant-42', 'tenant attribute from baggage');
    } finally {
      await downstream.close();
    }
  });

  it('lets fetch() inject the context by itself when the fetch instrumentation is on', async () => {
    receiver = await startHttpReceiver();
    const config = tracingConfig(receiver.url, 'http/protobuf', {
      opentelemetry: { instrumentations: { http: false, fetch: true } },
    });
    tracing = await startTracing(config, captureLogger().logger);
    const downstream = await startDownstream(tracing);
    try {
      const report = await withTenant('tenant-7', () =>
        tracing!.tracer.startActiveSpan(SpanNames.WORKER_EXECUTE, async (span) => {
          const res = await fetch(downstream.url);
          const body = (await res.json()) as HopReport;
          span.end();
          return body;
        }),
      );
      assert.equal(report.tenant, 'tenant-7');
      const spans = await receiver.waitForSpans(3);
      const worker = spans.find((s) => s.name === SpanNames.WORKER_EXECUTE);
      const fetchSpan = spans.find((s) => s.kind === 3);
      const server = spans.find((s) => s.name === SpanNames.REQUEST);
      assert.ok(worker && fetchSpan && server, spans.map((s) => s.name).join(', '));
      assert.equal(fetchSpan.parentSpanId, worker.spanId, 'automatic client span under the active span');
      assert.equal(server.parentSpanId, fetchSpan.spanId, 'server continues from the client span');
      assert.equal(fetchSpan.attributes['grey.tenant_id'], 'tenant-7');
    } finally {
      await downstream.close();
    }
  });

  it('works with tracing disabled: baggage and extract/inject still propagate, the tracer records nothing', async () => {
    tracing = await startTracing(testConfig(), captureLogger().logger);
    const downstream = await startDownstream(tracing);
    try {
      const parent = extractContext(
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        ROOT_CONTEXT,
      );
      const report = await context.with(parent, () =>
        withTenant('tenant-off', () => get(downstream.url, injectContext({}))),
      );
      assert.equal(report.tenant, 'tenant-off');
      assert.equal(report.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      assert.equal(tracing.tracer.startSpan('x').isRecording(), false);
    } finally {
      await downstream.close();
    }
  });
});

describe('buildPropagator', () => {
  const sampledParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  const cases: Array<[string, string[]]> = [
    ['tracecontext', ['traceparent']],
    ['baggage', ['baggage']],
    ['b3', ['b3']],
    ['b3multi', ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled']],
    ['none', []],
  ];
  for (const [name, headers] of cases) {
    it(`${name} writes ${headers.join(', ') || 'no header'}`, () => {
      const ctx = propagation.setBaggage(
        sampledParent,
        propagation.createBaggage({ 'grey.tenant_id': { value: 't1' } }),
      );
      const carrier: Record<string, string> = {};
      buildPropagator([name as never]).inject(ctx, carrier, { set: (c, k, v) => (c[k] = v) });
      assert.deepEqual(Object.keys(carrier).sort(), [...headers].sort());
    });
  }

  it('extracts from fetch Headers and from mixed-case plain records', () => {
    propagation.setGlobalPropagator(buildPropagator(['tracecontext', 'baggage']));
    try {
      const fromHeaders = extractContext(
        new Headers({
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          baggage: 'grey.tenant_id=t9',
        }),
        ROOT_CONTEXT,
      );
      assert.equal(trace.getSpanContext(fromHeaders)?.traceId, '0af7651916cd43dd8448eb211c80319c');
      assert.equal(currentTenant(fromHeaders), 't9');
      const fromRecord = extractContext({ Baggage: 'grey.tenant_id=t10' }, ROOT_CONTEXT);
      assert.equal(currentTenant(fromRecord), 't10');
      const out = injectContext(new Headers(), fromHeaders);
      assert.equal(out.get('traceparent'), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    } finally {
      propagation.disable();
    }
  });
});
