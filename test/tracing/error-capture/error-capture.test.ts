import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  propagation,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ConfigOverrides, ObservabilityConfig } from '../../../src/config/types.js';
import { extractContext } from '../../../src/tracing/propagation.js';
import { startTracing, type Tracing } from '../../../src/tracing/start-tracing.js';
import { startHttpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from '../helpers.js';
import { countsOf } from '../support/health-counts.js';

function captureConfig(
  limits: { max_traces: number; max_spans_per_trace: number; max_buffered_spans?: number } = {
    max_traces: 100,
    max_spans_per_trace: 50,
  },
  enabled = true,
  rules = ['error=true'],
): ConfigOverrides {
  return {
    opentelemetry: {
      sampling: {
        strategy: 'parent_based_traceid_ratio',
        ratio: 0,
        always_sample: rules,
        error_capture: { enabled, max_buffered_spans: 10_000, ...limits },
      },
    },
  };
}

/** Waits `ms` of wall time without yielding (so a span's measured duration covers it). */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/**
 * One failing request, with every call a span offers: start attributes, links, kinds, attributes
 * set later, events (timed and not), an exception, a rename, a status, the tenant in the baggage
 * and an instrumentation scope of its own. Run once sampled and once captured, it must export the
 * same spans.
 */
function failingRequest(tracer: Tracer): void {
  const linked = trace
    .wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.NONE,
    })
    .spanContext();
  const tenantContext = propagation.setBaggage(
    ROOT_CONTEXT,
    propagation.createBaggage({ 'grey.tenant_id': { value: 'tenant-a' } }),
  );
  const scoped = trace.getTracer('capture-test-scope', '9.8.7');
  tracer.startActiveSpan(
    'grey.request',
    { kind: SpanKind.SERVER, attributes: { 'http.route': '/jobs', retries: 2 }, links: [{ context: linked }] },
    tenantContext,
    (root) => {
      root.setAttributes({ 'grey.task_id': 'task-1', tags: ['a', 'b'] });
      root.addEvent('accepted', { queue: 'fast' });
      scoped.startActiveSpan('scoped.child', (child) => {
        child.addLink({ context: linked, attributes: { why: 'batch' } });
        busyWait(15);
        child.end();
      });
      const failing = tracer.startSpan('grey.worker.execute', { kind: SpanKind.CLIENT });
      failing.updateName('grey.worker.execute_renamed');
      failing.recordException(new RangeError('out of range'));
      failing.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      failing.setAttribute('late', 'after-error');
      failing.end();
      failing.setAttribute('ignored', 'after-end');
      root.setStatus({ code: SpanStatusCode.OK });
      root.end();
    },
  );
}

/**
 * Two traces whose captured export depended on when things were read: in the first, the only
 * error is the attribute `error=true`, then set to values the SDK ignores (undefined, a symbol,
 * an inherited key); in the second, an error's message and code change after it was recorded, and
 * two children end after the root (one started before it ended, one after, from its context).
 */
function lateAndChangingRequest(tracer: Tracer): void {
  tracer.startActiveSpan('flagged.request', {}, ROOT_CONTEXT, (root) => {
    const flagged = tracer.startSpan('flagged.child');
    flagged.setAttribute('error', true);
    flagged.setAttribute('error', undefined as unknown as string);
    flagged.setAttribute('error', Symbol('not a value') as unknown as string);
    flagged.setAttributes(Object.create({ error: false }) as Attributes);
    flagged.end();
    root.end();
  });
  let rootContext = ROOT_CONTEXT;
  let late: Span | undefined;
  tracer.startActiveSpan('late.request', {}, ROOT_CONTEXT, (root) => {
    rootContext = context.active();
    late = tracer.startSpan('late.started_before_root_end');
    const failing = tracer.startSpan('late.failing');
    const error = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    failing.recordException(error);
    error.message = 'changed after it was recorded';
    error.code = 'ELATER';
    failing.setStatus({ code: SpanStatusCode.ERROR });
    failing.end();
    root.end();
  });
  late!.end();
  tracer.startSpan('late.started_after_root_end', {}, rootContext).end();
}

/** What must be equal between a sampled export and a captured one: everything but ids and times. */
function comparable(spans: ReceivedSpan[]): unknown[] {
  const byId = new Map(spans.map((s) => [s.spanId, s.name]));
  return spans
    .map((s) => ({
      name: s.name,
      parent: byId.get(s.parentSpanId) ?? (s.parentSpanId === '' ? '' : 'remote'),
      kind: s.kind,
      attributes: s.attributes,
      status: s.status,
      scope: `${s.scope}@${s.scopeVersion}`,
      resource: s.resource,
      traceFlags: s.traceFlags,
      // The stack trace names the test's own calling line, which differs between the two runs.
      events: s.events.map((e) => ({
        name: e.name,
        attributes: { ...e.attributes, 'exception.stacktrace': typeof e.attributes['exception.stacktrace'] },
        droppedAttributesCount: e.droppedAttributesCount,
      })),
      links: s.links,
      droppedAttributesCount: s.droppedAttributesCount,
      droppedEventsCount: s.droppedEventsCount,
      droppedLinksCount: s.droppedLinksCount,
    }))
    .sort((x, y) => x.name.localeCompare(y.name));
}

describe('error capture at ratio 0', () => {
  let receiver: OtlpReceiver | undefined;
  let tracing: Tracing | undefined;
  let lines: Array<Record<string, unknown>> = [];

  async function start(overrides: ConfigOverrides): Promise<Tracing> {
    receiver = await startHttpReceiver();
    const captured = captureLogger();
    lines = captured.lines;
    tracing = await startTracing(tracingConfig(receiver.url, 'http/protobuf', overrides), captured.logger);
    return tracing;
  }

  /** Ends the tracing pipeline so that everything that will be exported has been. */
  async function flushAndStop(): Promise<void> {
    await tracing?.shutdown(2000);
  }

  /** Ends the pipeline (see flushAndStop) and returns the names of the exported spans, sorted. */
  async function exportedNames(): Promise<string[]> {
    await flushAndStop();
    return receiver!
      .spans()
      .map((s) => s.name)
      .sort();
  }

  afterEach(async () => {
    await stopTracingAndReceiver(tracing, receiver);
    tracing = undefined;
    receiver = undefined;
  });

  it('exports every local span of a dropped trace when one of them ends in error', async () => {
    const { tracer } = await start(captureConfig());
    tracer.startActiveSpan('grey.request', {}, ROOT_CONTEXT, (root) => {
      assert.equal(root.isRecording(), true, 'record-only');
      assert.equal(root.spanContext().traceFlags & TraceFlags.SAMPLED, 0, 'not sampled downstream');
      tracer.startSpan('grey.auth.validate_token').end();
      const failing = tracer.startSpan('grey.worker.execute');
      failing.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      failing.end();
      tracer.startSpan('grey.response.build').end();
      root.end();
    });
    await flushAndStop();
    const spans = receiver!.spans();
    assert.deepEqual(spans.map((s) => s.name).sort(), [
      'grey.auth.validate_token',
      'grey.request',
      'grey.response.build',
      'grey.worker.execute',
    ]);
    const root = spans.find((s) => s.name === 'grey.request')!;
    for (const s of spans) if (s !== root) assert.equal(s.parentSpanId, root.spanId, s.name);
  });

  it('exports nothing of a dropped trace that ends without error', async () => {
    const { tracer } = await start(captureConfig());
    tracer.startActiveSpan('grey.request', {}, ROOT_CONTEXT, (root) => {
      tracer.startSpan('grey.task.run').end();
      root.end();
    });
    await flushAndStop();
    assert.equal(receiver!.spans().length, 0);
  });

  it('treats the attribute error=true set during the span like an error status', async () => {
    const { tracer } = await start(captureConfig());
    tracer.startActiveSpan('grey.request', {}, ROOT_CONTEXT, (root) => {
      const task = tracer.startSpan('grey.task.run');
      task.setAttribute('error', true);
      task.end();
      root.end();
    });
    await flushAndStop();
    assert.equal(receiver!.spans().length, 2);
  });

  it('keeps the local part of a trace whose remote parent was not sampled', async () => {
    const { tracer } = await start(captureConfig());
    const parent = extractContext(
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
      ROOT_CONTEXT,
    );
    tracer.startActiveSpan('grey.request', {}, parent, (root) => {
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    });
    await flushAndStop();
    const spans = receiver!.spans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0]?.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(spans[0]?.parentSpanId, 'b7ad6b7169203331');
  });

  it('bounds spans per trace and counts what it dropped', async () => {
    const { tracer } = await start(captureConfig({ max_traces: 10, max_spans_per_trace: 2 }));
    tracer.startActiveSpan('grey.request', {}, ROOT_CONTEXT, (root) => {
      for (let i = 0; i < 5; i++) tracer.startSpan(`step-${i}`).end();
      const failing = tracer.startSpan('failing');
      failing.setStatus({ code: SpanStatusCode.ERROR });
      failing.end();
      root.end();
    });
    assert.deepEqual(await exportedNames(), ['failing', 'grey.request', 'step-0', 'step-1']);
    assert.equal(countsOf(tracing!.health()).capture_trace_full, 3);
    assert.ok(
      lines.some((l) => l.code === 'OBS_WARN_SPANS_DROPPED'),
      'logged',
    );
  });

  it('bounds the number of buffered traces by evicting the oldest, counted', async () => {
    const { tracer } = await start(captureConfig({ max_traces: 2, max_spans_per_trace: 10 }));
    const roots = [0, 1, 2].map((i) => {
      const root = tracer.startSpan(`root-${i}`, {}, ROOT_CONTEXT);
      context.with(trace.setSpan(ROOT_CONTEXT, root), () => tracer.startSpan('child').end());
      return root;
    });
    for (const root of roots) {
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    }
    await flushAndStop();
    const names = receiver!
      .spans()
      .map((s) => s.name)
      .sort();
    assert.deepEqual(names, ['child', 'child', 'root-1', 'root-2'], 'trace 0 was evicted before its error');
    assert.equal(countsOf(tracing!.health()).capture_trace_evicted, 1, 'the one buffered child of trace 0');
  });

  it('evicts only traces that hold spans: open traces holding nothing all stay capturable', async () => {
    const { tracer } = await start(captureConfig({ max_traces: 1, max_spans_per_trace: 10 }));
    // Three requests in flight at once, more than max_traces, none holding an ended span yet.
    const roots = [0, 1, 2].map((i) => tracer.startSpan(`root-${i}`, {}, ROOT_CONTEXT));
    for (const root of roots) {
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    }
    assert.deepEqual(await exportedNames(), ['root-0', 'root-1', 'root-2']);
    assert.equal(countsOf(tracing!.health()).capture_trace_evicted, 0);
  });

  it('bounds the spans buffered across all traces by max_buffered_spans, counted', async () => {
    const { tracer } = await start(captureConfig({ max_traces: 100, max_spans_per_trace: 100, max_buffered_spans: 5 }));
    const roots = [0, 1, 2].map((i) => {
      const root = tracer.startSpan(`root-${i}`, {}, ROOT_CONTEXT);
      context.with(trace.setSpan(ROOT_CONTEXT, root), () => {
        for (let c = 0; c < 3; c++) tracer.startSpan(`child-${i}`).end();
      });
      return root;
    });
    // 9 children ended while their roots were open: 5 fit in the buffer, 4 were dropped.
    assert.equal(countsOf(tracing!.health()).capture_trace_full, 4);
    for (const root of roots) {
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    }
    await flushAndStop();
    const names = receiver!.spans().map((s) => s.name);
    assert.equal(names.filter((n) => n.startsWith('child-')).length, 5);
    assert.equal(names.filter((n) => n.startsWith('root-')).length, 3, 'every errored root is still exported');
  });

  it('is off with error_capture.enabled=false: dropped spans do not record and errors are not exported', async () => {
    const { tracer } = await start(captureConfig(undefined, false));
    const root = tracer.startSpan('grey.request', {}, ROOT_CONTEXT);
    assert.equal(root.isRecording(), false);
    root.setStatus({ code: SpanStatusCode.ERROR });
    root.end();
    await flushAndStop();
    assert.equal(receiver!.spans().length, 0);
  });

  it('is off without the error=true rule', async () => {
    const { tracer } = await start(captureConfig(undefined, true, ['priority=critical']));
    assert.equal(tracer.startSpan('grey.request', {}, ROOT_CONTEXT).isRecording(), false);
  });

  it('exports the buffered context when a rule samples a span inside a dropped trace', async () => {
    const { tracer } = await start(captureConfig(undefined, true, ['error=true', 'priority=critical']));
    tracer.startActiveSpan('grey.request', {}, ROOT_CONTEXT, (root) => {
      tracer.startSpan('grey.auth.validate_token').end();
      tracer.startSpan('grey.scheduler.submit_task', { attributes: { priority: 'critical' } }).end();
      root.end();
    });
    assert.deepEqual(await exportedNames(), ['grey.auth.validate_token', 'grey.request', 'grey.scheduler.submit_task']);
  });

  /**
   * Runs `scenario` once with every span sampled and once at ratio 0 with error capture, each
   * against a fresh receiver; returns the sampled export (comparable form) and the captured spans.
   */
  async function sampledThenCaptured(
    scenario: (tracer: Tracer) => void,
    limits: Partial<ObservabilityConfig['opentelemetry']['limits']> = {},
  ): Promise<{ expected: unknown[]; spans: ReceivedSpan[] }> {
    const sampled = await start({ opentelemetry: { limits } });
    scenario(sampled.tracer);
    await flushAndStop();
    const expected = comparable(receiver!.spans());
    await stopTracingAndReceiver(tracing, receiver);
    const capture = captureConfig();
    const captured = await start({ opentelemetry: { ...capture.opentelemetry, limits } });
    scenario(captured.tracer);
    await flushAndStop();
    return { expected, spans: receiver!.spans() };
  }

  it('exports a captured trace exactly as the same trace sampled (all but ids and times)', async () => {
    const { expected, spans } = await sampledThenCaptured(failingRequest);
    assert.equal(spans.length, 3);
    assert.deepEqual(comparable(spans), expected);
    const exception = spans.find((s) => s.name === 'grey.worker.execute_renamed')!.events[0]!;
    assert.equal(exception.attributes['exception.type'], 'RangeError');
    assert.match(String(exception.attributes['exception.stacktrace']), /RangeError: out of range/);
  });

  it('exports a captured trace under tight span limits exactly as the same trace sampled, drop counts included', async () => {
    const limits = {
      attribute_count: 3,
      attribute_value_length: 4,
      event_count: 2,
      link_count: 1,
      attributes_per_event: 1,
      attributes_per_link: 1,
    };
    const { expected, spans } = await sampledThenCaptured((tracer) => {
      failingRequest(tracer);
      // The start attributes fill the count: the tenant attribute finds no room, as on an SDK span.
      const tenantContext = propagation.setBaggage(
        ROOT_CONTEXT,
        propagation.createBaggage({ 'grey.tenant_id': { value: 'tenant-b' } }),
      );
      const full = tracer.startSpan('full', { attributes: { a: 1, b: 2, c: 3, d: 4, '': 5 } }, tenantContext);
      full.setAttribute('a', 'changed-a');
      full.setAttribute('e', 5);
      full.setAttributes({ list: ['long-value', 'x'] });
      for (let i = 0; i < 4; i++) full.addEvent(`e${i}`, { i, long: 'long-value' });
      full.recordException(new TypeError('bad input'));
      full.setStatus({ code: SpanStatusCode.ERROR });
      full.end();
    }, limits);
    assert.equal(spans.length, 4);
    assert.deepEqual(comparable(spans), expected);
    const full = spans.find((s) => s.name === 'full')!;
    assert.deepEqual(full.attributes, { a: 'chan', b: 2, c: 3 });
    assert.equal(full.droppedAttributesCount, 5, 'd, the empty key, the tenant, e and list');
    assert.deepEqual([full.events.map((e) => e.name), full.droppedEventsCount], [['e3', 'exception'], 3]);
  });

  it('exports what the SDK would hold: error=true kept over ignored values, exceptions as recorded, spans ending after the root', async () => {
    const { expected, spans } = await sampledThenCaptured(lateAndChangingRequest);
    assert.deepEqual(spans.map((s) => s.name).sort(), [
      'flagged.child',
      'flagged.request',
      'late.failing',
      'late.request',
      'late.started_after_root_end',
      'late.started_before_root_end',
    ]);
    assert.deepEqual(comparable(spans), expected);
    const exception = spans.find((s) => s.name === 'late.failing')!.events[0]!;
    assert.equal(exception.attributes['exception.type'], 'ENOSPC');
    assert.equal(exception.attributes['exception.message'], 'disk full');
  });

  it('keeps the times of a captured span: start, events and end as they happened', async () => {
    const { tracer } = await start(captureConfig());
    const before = Date.now() * 1e6;
    tracer.startActiveSpan('grey.request', {}, ROOT_CONTEXT, (root) => {
      busyWait(20);
      root.addEvent('midway');
      busyWait(20);
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    });
    const after = Date.now() * 1e6;
    await flushAndStop();
    const [span] = receiver!.spans();
    assert.ok(span !== undefined);
    const event = span.events[0]!;
    // 1 ms of slack each way for the clock readings around the run.
    assert.ok(span.startTimeUnixNano >= before - 1e6 && span.endTimeUnixNano <= after + 1e6, 'within the run');
    assert.ok(event.timeUnixNano - span.startTimeUnixNano >= 19e6, 'event after the first wait');
    assert.ok(span.endTimeUnixNano - event.timeUnixNano >= 19e6, 'end after the second wait');
  });

  it('takes the time of the call for a missing or invalid time, not the time of the replay', async () => {
    const { tracer } = await start(captureConfig());
    const before = Date.now() * 1e6;
    let after = 0;
    tracer.startActiveSpan('grey.request', {}, ROOT_CONTEXT, (root) => {
      const child = tracer.startSpan('child', { startTime: 'not a time' as unknown as number });
      child.addEvent('event', { n: 1 }, 'not a time' as unknown as number);
      child.recordException('failed', Number.NaN.toString() as unknown as number);
      child.end('not a time' as unknown as number);
      after = Date.now() * 1e6;
      busyWait(30);
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    });
    await flushAndStop();
    const child = receiver!.spans().find((s) => s.name === 'child')!;
    // 1 ms of slack each way for the clock readings around the calls.
    const times = [child.startTimeUnixNano, child.endTimeUnixNano, ...child.events.map((e) => e.timeUnixNano)];
    assert.equal(times.length, 4);
    for (const time of times)
      assert.ok(time >= before - 1e6 && time <= after + 1e6, `${time} in [${before}, ${after}]`);
  });

  it('exports the failing children of a span that a rule sampled under traceid_ratio (not parent-based)', async () => {
    const overrides = captureConfig(undefined, true, ['error=true', 'priority=critical']);
    overrides.opentelemetry!.sampling!.strategy = 'traceid_ratio';
    const { tracer } = await start(overrides);
    tracer.startActiveSpan('grey.task.run', { attributes: { priority: 'critical' } }, ROOT_CONTEXT, (task) => {
      tracer.startActiveSpan('grey.worker.execute', (child) => {
        tracer.startSpan('grey.db.query').end();
        child.setStatus({ code: SpanStatusCode.ERROR });
        child.end();
      });
      tracer.startSpan('grey.response.build').end();
      task.end();
    });
    await flushAndStop();
    const spans = receiver!.spans();
    assert.deepEqual(spans.map((s) => s.name).sort(), ['grey.db.query', 'grey.task.run', 'grey.worker.execute']);
    const byName = new Map(spans.map((s) => [s.name, s]));
    assert.equal(byName.get('grey.worker.execute')!.parentSpanId, byName.get('grey.task.run')!.spanId);
    assert.equal(byName.get('grey.db.query')!.parentSpanId, byName.get('grey.worker.execute')!.spanId);
  });

  it('captures through every tracer of the global provider, in every startActiveSpan form', async () => {
    await start(captureConfig());
    const other = trace.getTracer('instrumentation-x', '1.0.0');
    const active: boolean[] = [];
    other.startActiveSpan('two-args', (span) => {
      active.push(trace.getActiveSpan() === span && span.isRecording());
      other.startActiveSpan('three-args', { attributes: { error: true } }, (child) => {
        active.push(trace.getActiveSpan() === child && child.isRecording());
        child.end();
      });
      span.end();
      span.end(); // a second end() changes nothing
    });
    await flushAndStop();
    assert.deepEqual(active, [true, true]);
    const spans = receiver!.spans();
    assert.deepEqual(spans.map((s) => `${s.name} ${s.scope}@${s.scopeVersion}`).sort(), [
      'three-args instrumentation-x@1.0.0',
      'two-args instrumentation-x@1.0.0',
    ]);
    assert.equal(
      spans.find((s) => s.name === 'three-args')!.parentSpanId,
      spans.find((s) => s.name === 'two-args')!.spanId,
    );
  });

  it('captures nothing after shutdown: spans of a held tracer no longer record', async () => {
    const held = trace.getTracer('held');
    await start(captureConfig());
    const live = trace.getTracer('held-live');
    await flushAndStop();
    assert.equal(held.startSpan('after').isRecording(), false);
    assert.equal(live.startSpan('after').isRecording(), false);
  });

  it('exports what was given to a captured span as it was at the call, though the caller changes it later', async () => {
    const { tracer } = await start(captureConfig());
    const tags = ['a', 'b'];
    const startAttributes = { 'start.tags': ['x'] };
    const status = { code: SpanStatusCode.ERROR, message: 'first' };
    const linkAttributes = { why: 'before' };
    const link = {
      context: trace
        .wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 })
        .spanContext(),
      attributes: linkAttributes,
    };
    const span = tracer.startSpan('grey.request', { attributes: startAttributes }, ROOT_CONTEXT);
    span.setAttribute('tags', tags);
    const bag = { list: [1, 2] };
    span.setAttributes(bag);
    span.addLink(link);
    span.setStatus(status);
    tags.push('changed');
    startAttributes['start.tags'].push('changed');
    bag.list.push(3);
    status.message = 'changed';
    linkAttributes.why = 'changed';
    span.end();
    await flushAndStop();
    const [exported] = receiver!.spans();
    assert.ok(exported !== undefined);
    assert.deepEqual(exported.attributes['tags'], ['a', 'b']);
    assert.deepEqual(exported.attributes['start.tags'], ['x']);
    assert.deepEqual(exported.attributes['list'], [1, 2]);
    assert.equal(exported.status.message, 'first');
    assert.deepEqual(exported.links[0]?.attributes, { why: 'before' });
  });
});
