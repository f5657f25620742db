import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { isObservabilityError } from '../../src/errors.js';
import { startTracing } from '../../src/tracing/start-tracing.js';
import { currentTenant } from '../../src/tenancy/tenant-context.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { testConfig } from '../support/config.js';
import { startHttpReceiver } from '../support/otlp-receiver.js';
import { captureLogger, resetOtelGlobals, tracingConfig } from './helpers.js';
import { countsOf } from './support/health-counts.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** True when the global propagator is a real one (the API's no-op injects nothing). */
function propagatorRegistered(): boolean {
  const carrier: Record<string, string> = {};
  const ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  propagation.inject(ctx, carrier);
  return carrier['traceparent'] !== undefined;
}

/** True when a real context manager is registered (the API's no-op loses context in callbacks). */
function contextManagerRegistered(): boolean {
  return withTenant('probe', () => currentTenant()) === 'probe';
}

describe('startTracing', () => {
  afterEach(() => resetOtelGlobals());

  it('with tracing disabled registers the context manager and propagator and returns a no-op tracer', async () => {
    const tracing = await startTracing(testConfig(), captureLogger().logger);
    assert.equal(contextManagerRegistered(), true);
    assert.equal(propagatorRegistered(), true);
    const span = tracing.tracer.startSpan('grey.request');
    assert.equal(span.isRecording(), false);
    assert.deepEqual(countsOf(tracing.health()), {
      exported: 0,
      export_failed: 0,
      queue_full: 0,
      capture_trace_evicted: 0,
      capture_trace_full: 0,
      export_failed_by_reason: { timeout: 0, unavailable: 0, rejected: 0, shutdown: 0, other: 0 },
    });
    await tracing.shutdown(100);
    assert.equal(contextManagerRegistered(), false, 'context manager unregistered');
    assert.equal(propagatorRegistered(), false, 'propagator unregistered');
  });

  it('with tracing enabled unregisters the tracer provider, context manager and propagator at shutdown', async () => {
    const receiver = await startHttpReceiver();
    try {
      const tracing = await startTracing(tracingConfig(receiver.url, 'http/protobuf'), captureLogger().logger);
      assert.equal(trace.getTracer('x').startSpan('y').isRecording(), true, 'global tracer provider registered');
      assert.equal(contextManagerRegistered(), true);
      await tracing.shutdown(1000);
      await tracing.shutdown(1000); // second call: nothing left to do
      assert.equal(trace.getTracer('x').startSpan('y').isRecording(), false);
      assert.equal(tracing.tracer.startSpan('after').isRecording(), false, 'the returned tracer goes quiet');
      assert.equal(contextManagerRegistered(), false);
      assert.equal(propagatorRegistered(), false);
    } finally {
      await receiver.close();
    }
  });

  it('refuses to start next to another SDK, names the fix, and leaves the other SDK registered', async () => {
    const other = new TracerProvider();
    trace.setGlobalTracerProvider(other);
    await assert.rejects(
      startTracing(tracingConfig('http://127.0.0.1:9', 'grpc'), captureLogger().logger),
      (err: unknown) =>
        isObservabilityError(err, 'OBS_ERR_TRACING_START') &&
        /tracer provider/.test(err.message) &&
        /opentelemetry\.enabled/.test(err.message),
    );
    assert.equal(contextManagerRegistered(), false, 'what it registered before failing is undone');
    assert.equal(propagatorRegistered(), false);
    assert.equal(
      trace.getTracerProvider() !== undefined && trace.getTracer('x').startSpan('y').isRecording(),
      true,
      'the other SDK keeps working',
    );
  });

  it('fails with OBS_ERR_TRACING_START naming the cause, and leaves no global registered', async () => {
    const config = tracingConfig('not a url', 'http/protobuf');
    await assert.rejects(
      startTracing(config, captureLogger().logger),
      (err: unknown) => isObservabilityError(err, 'OBS_ERR_TRACING_START') && /Invalid URL/.test(err.message),
    );
    assert.equal(contextManagerRegistered(), false);
    assert.equal(propagatorRegistered(), false);
    assert.equal(trace.getTracer('x').startSpan('y').isRecording(), false);
  });

  it('refuses a second start while the first is live', async () => {
    const first = await startTracing(testConfig(), captureLogger().logger);
    try {
      await assert.rejects(
        startTracing(tracingConfig('http://127.0.0.1:9', 'grpc'), captureLogger().logger),
        (err: unknown) => isObservabilityError(err, 'OBS_ERR_TRACING_START'),
      );
      assert.equal(contextManagerRegistered(), true, "the first start's registrations are kept");
    } finally {
      await first.shutdown(100);
    }
  });

  it('keeps an explicit grey.tenant_id attribute over the baggage tenant', async () => {
    const receiver = await startHttpReceiver();
    const tracing = await startTracing(tracingConfig(receiver.url, 'http/protobuf'), captureLogger().logger);
    try {
      withTenant('from-baggage', () => {
        tracing.tracer.startSpan('explicit', { attributes: { 'grey.tenant_id': 'explicit' } }).end();
        tracing.tracer.startSpan('implicit').end();
      });
      const spans = await receiver.waitForSpans(2);
      const byName = new Map(spans.map((s) => [s.name, s.attributes['grey.tenant_id']]));
      assert.equal(byName.get('explicit'), 'explicit');
      assert.equal(byName.get('implicit'), 'from-baggage');
    } finally {
      await tracing.shutdown(1000);
      await receiver.close();
    }
  });

  it('continues an extracted parent with the global propagator', async () => {
    const tracing = await startTracing(testConfig(), captureLogger().logger);
    try {
      const ctx = propagation.extract(context.active(), { traceparent: TRACEPARENT });
      assert.equal(trace.getSpanContext(ctx)?.spanId, 'b7ad6b7169203331');
    } finally {
      await tracing.shutdown(100);
    }
  });
});
