import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  propagation,
  trace,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigOverrides, ObservabilityConfig } from '../../src/config/types.js';
import { CapturedSpan } from '../../src/tracing/error-capture/captured-span.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { startHttpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { captureLogger, stopTracingAndReceiver } from './helpers.js';

/** How the span under test reaches the collector: sampled at start, or captured (error capture at ratio 0) and replayed. */
type Path = 'sampled' | 'captured';
const PATHS: readonly Path[] = ['sampled', 'captured'];

const LIMIT_VARIABLES = [
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
];

/** The test-safe parts of the config (loopback export, short batch delay, no instrumentations) and the path's sampling. */
function pathOverrides(endpoint: string, path: Path): ConfigOverrides {
  return {
    logging: { level: 'silent' },
    prometheus: { host: '127.0.0.1', port: 0 },
    opentelemetry: {
      enabled: true,
      exporter: { protocol: 'http/protobuf', endpoint, timeout_ms: 2000 },
      batch: { scheduled_delay_ms: 20 },
      instrumentations: { http: false, fetch: false },
      sampling:
        path === 'sampled'
          ? { strategy: 'always_on', ratio: 1, always_sample: [] }
          : {
              strategy: 'parent_based_traceid_ratio',
              ratio: 0,
              always_sample: ['error=true'],
              error_capture: { enabled: true, max_traces: 100, max_spans_per_trace: 50, max_buffered_spans: 1000 },
            },
    },
  };
}

const linked = (n: number): Link['context'] => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: `00f067aa0ba902b${n}`,
  traceFlags: TraceFlags.NONE,
});

/** Ends `span` so that its trace is exported on either path (an error keeps a captured trace). */
function endInError(span: Span): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  span.end();
}

describe('span limits (opentelemetry.limits)', () => {
  let receiver: OtlpReceiver | undefined;
  let tracing: Tracing | undefined;
  let dir: TempDir;
  const savedEnv = new Map<string, string | undefined>();

  before(() => {
    dir = createTempDir();
    for (const name of LIMIT_VARIABLES) savedEnv.set(name, process.env[name]);
  });

  after(() => dir.remove());

  afterEach(async () => {
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await stopTracingAndReceiver(tracing, receiver);
    tracing = undefined;
    receiver = undefined;
  });

  /** The config of `env` (and `configFile`), with the path's sampling; tracing started on it. */
  async function start(
    path: Path,
    source: { env?: NodeJS.ProcessEnv; configFile?: string } = {},
  ): Promise<{ tracer: Tracer; config: ObservabilityConfig }> {
    receiver = await startHttpReceiver();
    const { config } = loadConfig({
      env: source.env ?? {},
      cwd: dir.path,
      configFile: source.configFile,
      overrides: pathOverrides(receiver.url, path),
    });
    tracing = await startTracing(config, captureLogger().logger);
    return { tracer: tracing.tracer, config };
  }

  /** Shuts tracing down (every span exported) and returns the exported spans. */
  async function exported(): Promise<ReceivedSpan[]> {
    await tracing!.shutdown(2000);
    return receiver!.spans();
  }

  /** The one span of a run that ran `scenario` under a root, by name. */
  async function runOne(tracer: Tracer, name: string, scenario: (span: Span) => void): Promise<ReceivedSpan> {
    tracer.startActiveSpan('root', {}, ROOT_CONTEXT, (root) => {
      const span = tracer.startSpan(name);
      scenario(span);
      endInError(span);
      root.end();
    });
    const spans = await exported();
    const span = spans.find((s) => s.name === name);
    assert.ok(span !== undefined, `exported: ${spans.map((s) => s.name).join(', ')}`);
    return span;
  }

  for (const path of PATHS) {
    it(`exports "myvalue-long" as "myval" with OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT=5 in process.env (${path} span)`, async () => {
      process.env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT = '5';
      receiver = await startHttpReceiver();
      const { config } = loadConfig({ cwd: dir.path, overrides: pathOverrides(receiver.url, path) });
      assert.equal(config.opentelemetry.limits.attribute_value_length, 5);
      tracing = await startTracing(config, captureLogger().logger);
      let kind = '';
      tracing.tracer.startActiveSpan('root', {}, ROOT_CONTEXT, (root) => {
        kind = root instanceof CapturedSpan ? 'captured' : 'sampled';
        root.setAttribute('test', 'myvalue-long');
        root.setAttribute('short', 'abc');
        endInError(root);
      });
      assert.equal(kind, path);
      const [span] = await exported();
      assert.equal(span?.attributes['test'], 'myval');
      assert.equal(span?.attributes['short'], 'abc');
    });

    it(`keeps "myvalue-long" whole with no limit set, and at most 128 attributes by default (${path} span)`, async () => {
      const { tracer } = await start(path);
      const span = await runOne(tracer, 'defaults', (s) => {
        s.setAttribute('test', 'myvalue-long');
        for (let i = 0; i < 129; i++) s.setAttribute(`k${i}`, i);
      });
      assert.equal(span.attributes['test'], 'myvalue-long');
      assert.equal(Object.keys(span.attributes).length, 128);
      assert.equal(span.droppedAttributesCount, 2);
    });

    it(`applies every limit to attributes, arrays, events, links and their attributes, counting what it dropped (${path} span)`, async () => {
      const env = {
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '5',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '3',
        OTEL_SPAN_LINK_COUNT_LIMIT: '3',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '1',
      };
      const { tracer, config } = await start(path, { env });
      assert.deepEqual(config.opentelemetry.limits, {
        attribute_count: 5,
        attribute_value_length: 5,
        event_count: 3,
        link_count: 3,
        attributes_per_event: 2,
        attributes_per_link: 1,
      });
      const tenant = propagation.setBaggage(
        ROOT_CONTEXT,
        propagation.createBaggage({ 'grey.tenant_id': { value: 'tenant-long-id' } }),
      );
      tracer.startActiveSpan('root', {}, tenant, (root) => {
        const span = tracer.startSpan(
          'limited',
          {
            attributes: { a: 'aaaaaaaa', b: ['bbbbbbbb', 'bb'], c: 3 },
            links: [{ context: linked(1) }, { context: linked(2), attributes: { x: 1, y: 2, z: 3 } }],
          },
          trace.setSpan(tenant, root),
        );
        // The tenant attribute took the 4th place; d the 5th; e and f find no room; a may still change.
        span.setAttributes({ d: 'dddddddd', e: 'e', f: 'f' });
        span.setAttribute('a', 'a-changed');
        for (let i = 1; i <= 5; i++) span.addEvent(`event-${i}`, { n: i, long: 'lllllllll', other: 'o' });
        span.addLink({ context: linked(3), attributes: { p: 'pppppppp', q: 1 } });
        span.addLink({ context: linked(4) });
        endInError(span);
        root.end();
      });
      const spans = await exported();
      const span = spans.find((s) => s.name === 'limited');
      assert.ok(span !== undefined);
      assert.deepEqual(span.attributes, {
        a: 'a-cha',
        b: ['bbbbb', 'bb'],
        c: 3,
        'grey.tenant_id': 'tenan',
        d: 'ddddd',
      });
      assert.equal(span.droppedAttributesCount, 2);
      assert.deepEqual(
        span.events.map((e) => [e.name, e.attributes, e.droppedAttributesCount]),
        [
          ['event-3', { n: 3, long: 'lllll' }, 1],
          ['event-4', { n: 4, long: 'lllll' }, 1],
          ['event-5', { n: 5, long: 'lllll' }, 1],
        ],
      );
      assert.equal(span.droppedEventsCount, 2);
      assert.deepEqual(
        span.links.map((l) => [l.spanId, l.attributes, l.droppedAttributesCount]),
        [
          ['00f067aa0ba902b2', { x: 1 }, 2],
          ['00f067aa0ba902b3', { p: 'ppppp' }, 1],
          ['00f067aa0ba902b4', {}, 0],
        ],
      );
      assert.equal(span.droppedLinksCount, 1);
    });

    it(`cuts exception events to the event limits (${path} span)`, async () => {
      const env = { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5', OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2' };
      const { tracer } = await start(path, { env });
      const span = await runOne(tracer, 'failing', (s) => s.recordException(new RangeError('out of range')));
      const [event] = span.events;
      assert.equal(event?.name, 'exception');
      assert.deepEqual(event?.attributes, { 'exception.type': 'Range', 'exception.message': 'out o' });
      assert.equal(event?.droppedAttributesCount, 1, 'the stack trace found no room');
    });

    it(`allows no events and no links at limit 0, counting them (${path} span)`, async () => {
      const env = {
        OTEL_SPAN_EVENT_COUNT_LIMIT: '0',
        OTEL_SPAN_LINK_COUNT_LIMIT: '0',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '0',
      };
      const { tracer } = await start(path, { env });
      tracer.startActiveSpan('root', {}, ROOT_CONTEXT, (root) => {
        const span = tracer.startSpan('nothing', { attributes: { a: 1 }, links: [{ context: linked(1) }] });
        span.setAttribute('b', 2);
        span.addEvent('e1');
        span.recordException(new Error('x'));
        span.addLink({ context: linked(2) });
        endInError(span);
        root.end();
      });
      const span = (await exported()).find((s) => s.name === 'nothing');
      assert.ok(span !== undefined);
      assert.deepEqual(
        [span.attributes, span.droppedAttributesCount, span.events.length, span.droppedEventsCount],
        [{}, 2, 0, 2],
      );
      assert.deepEqual([span.links.length, span.droppedLinksCount], [0, 2]);
    });
  }

  const generalCases: Array<
    [string, NodeJS.ProcessEnv, { count: number; length: number; value: string; kept: number }]
  > = [
    [
      'the general OTEL_ATTRIBUTE_* variables',
      { OTEL_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '3' },
      { count: 2, length: 3, value: 'myv', kept: 2 },
    ],
    [
      'the OTEL_SPAN_* variables over the general ones',
      {
        OTEL_ATTRIBUTE_COUNT_LIMIT: '2',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '3',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
      },
      { count: 3, length: 5, value: 'myval', kept: 3 },
    ],
    [
      'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT=0 (no limit)',
      { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0' },
      { count: 128, length: 0, value: 'myvalue-long', kept: 4 },
    ],
  ];
  for (const [what, env, expected] of generalCases) {
    it(`limits the span attributes by ${what}`, async () => {
      const { tracer, config } = await start('sampled', { env });
      assert.equal(config.opentelemetry.limits.attribute_count, expected.count);
      assert.equal(config.opentelemetry.limits.attribute_value_length, expected.length);
      const span = await runOne(tracer, 'general', (s) => {
        s.setAttribute('test', 'myvalue-long');
        s.setAttributes({ k1: 1, k2: 2, k3: 3 });
      });
      assert.equal(span.attributes['test'], expected.value);
      assert.equal(Object.keys(span.attributes).length, expected.kept);
      assert.equal(span.droppedAttributesCount, 4 - expected.kept);
    });
  }

  it('reads the limits from the config file keys', async () => {
    const file = dir.write(
      'limits.yaml',
      [
        'opentelemetry:',
        '  limits:',
        '    attribute_value_length: 5',
        '    event_count: 1',
        '    attributes_per_event: 1',
        '',
      ].join('\n'),
    );
    const { tracer, config } = await start('captured', { configFile: file });
    assert.equal(config.opentelemetry.limits.attribute_value_length, 5);
    const span = await runOne(tracer, 'from-file', (s) => {
      s.setAttribute('test', 'myvalue-long');
      s.addEvent('first');
      s.addEvent('second', { a: 1, b: 2 });
    });
    assert.equal(span.attributes['test'], 'myval');
    assert.deepEqual(
      span.events.map((e) => [e.name, e.attributes, e.droppedAttributesCount]),
      [['second', { a: 1 }, 1]],
    );
    assert.equal(span.droppedEventsCount, 1);
  });

  it('bounds what a captured span holds while its trace is buffered, however much is recorded', async () => {
    const env = {
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '16',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '8',
      OTEL_SPAN_LINK_COUNT_LIMIT: '4',
    };
    const { tracer } = await start('captured', { env });
    const calls = 10_000;
    let held: { attributes: number; events: number; links: number } | undefined;
    tracer.startActiveSpan('root', {}, ROOT_CONTEXT, (root) => {
      const span = tracer.startSpan('busy');
      assert.ok(span instanceof CapturedSpan);
      for (let i = 0; i < calls; i++) {
        span.setAttribute(`key-${i}`, 'x'.repeat(100));
        span.addEvent('tick', { i });
        span.addLink({ context: linked(1), attributes: { i } });
      }
      const state = span.state;
      held = {
        attributes: Object.keys(state.attributes).length,
        events: state.events.length,
        links: state.links.length,
      };
      endInError(span);
      root.end();
    });
    assert.deepEqual(held, { attributes: 16, events: 8, links: 4 });
    const span = (await exported()).find((s) => s.name === 'busy');
    assert.ok(span !== undefined);
    assert.deepEqual(
      [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
      [calls - 16, calls - 8, calls - 4],
    );
    assert.deepEqual(
      span.events.map((e) => e.attributes['i']),
      [9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999],
      'the last events are kept, as the SDK keeps them',
    );
  });
});
