import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, TraceFlags, type Span } from '@opentelemetry/api';
import { extractContext } from '../../src/tracing/propagation.js';
import { buildSampler, isErrorCaptureActive } from '../../src/tracing/samplers/build-sampler.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { captureLogger, resetOtelGlobals, tracingConfig } from './helpers.js';
import type { ConfigOverrides } from '../../src/config/types.js';

const isSampled = (span: Span): boolean => (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;

async function withTracing(
  overrides: ConfigOverrides,
  fn: (tracing: Tracing, receiver: OtlpReceiver) => Promise<void>,
): Promise<void> {
  const receiver = await startHttpReceiver();
  const tracing = await startTracing(tracingConfig(receiver.url, 'http/protobuf', overrides), captureLogger().logger);
  try {
    await fn(tracing, receiver);
  } finally {
    await tracing.shutdown(2000);
    await receiver.close();
    resetOtelGlobals();
  }
}

function sampling(strategy: string, ratio: number, always_sample: string[] = [], capture = false): ConfigOverrides {
  return {
    opentelemetry: {
      sampling: {
        strategy: strategy as never,
        ratio,
        always_sample,
        error_capture: { enabled: capture, max_traces: 100, max_spans_per_trace: 50, max_buffered_spans: 10_000 },
      },
    },
  };
}

describe('parent_based_traceid_ratio sampling', () => {
  it('samples the configured share of 10,000 root spans within 5 binomial standard deviations, and exports exactly those', async () => {
    const ratio = 0.25;
    const n = 10_000;
    const overrides = sampling('parent_based_traceid_ratio', ratio);
    overrides.opentelemetry!.batch = { max_queue_size: n, max_export_batch_size: 1000, scheduled_delay_ms: 20 };
    await withTracing(overrides, async (tracing, receiver) => {
      let sampled = 0;
      for (let i = 0; i < n; i++) {
        const span = tracing.tracer.startSpan('grey.request', {}, ROOT_CONTEXT);
        if (isSampled(span)) sampled++;
        span.end();
      }
      const sd = Math.sqrt(n * ratio * (1 - ratio));
      assert.ok(
        Math.abs(sampled - n * ratio) <= 5 * sd,
        `sampled ${sampled} of ${n}, expected ${n * ratio} ± ${Math.round(5 * sd)}`,
      );
      const received = await receiver.waitForSpans(sampled, 10_000);
      assert.equal(received.length, sampled);
    });
  });

  it('follows a sampled incoming traceparent even at ratio 0', async () => {
    await withTracing(sampling('parent_based_traceid_ratio', 0), async (tracing) => {
      const parent = extractContext(
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        ROOT_CONTEXT,
      );
      const span = tracing.tracer.startSpan('grey.request', {}, parent);
      assert.equal(isSampled(span), true);
      assert.equal(span.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
      span.end();
    });
  });

  it('follows an unsampled incoming traceparent even at ratio 1', async () => {
    await withTracing(sampling('parent_based_traceid_ratio', 1), async (tracing) => {
      const parent = extractContext(
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
        ROOT_CONTEXT,
      );
      const span = tracing.tracer.startSpan('grey.request', {}, parent);
      assert.equal(isSampled(span), false);
      assert.equal(span.isRecording(), false, 'no error capture: a dropped span does not record');
      span.end();
    });
  });

  it('traceid_ratio ignores the parent decision', async () => {
    await withTracing(sampling('traceid_ratio', 1), async (tracing) => {
      const parent = extractContext(
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
        ROOT_CONTEXT,
      );
      assert.equal(isSampled(tracing.tracer.startSpan('x', {}, parent)), true);
    });
  });
});

describe('always_sample rules', () => {
  const rules = ['error=true', 'priority=critical', 'tee.platform=*', 'http.status_code=500'];
  const cases: Array<[string, Record<string, string | number | boolean>, boolean]> = [
    ['key=value matches the string value', { priority: 'critical' }, true],
    ['key=value does not match another value', { priority: 'low' }, false],
    ['key=* matches any value', { 'tee.platform': 'sgx' }, true],
    ['key=* matches a boolean value', { 'tee.platform': false }, true],
    ['error=true matches the boolean true', { error: true }, true],
    ['error=true matches the string "true"', { error: 'true' }, true],
    ['error=true does not match false', { error: false }, false],
    ['key=value matches a number by its decimal text', { 'http.status_code': 500 }, true],
    ['no attribute, no match', {}, false],
  ];
  for (const [title, attributes, expected] of cases) {
    it(`${title} (ratio 0)`, async () => {
      await withTracing(sampling('parent_based_traceid_ratio', 0, rules), async (tracing) => {
        const span = tracing.tracer.startSpan('grey.task.run', { attributes }, ROOT_CONTEXT);
        assert.equal(isSampled(span), expected);
        span.end();
      });
    });
  }

  it('samples a rule match even under an unsampled parent, and always_off keeps the rules', async () => {
    await withTracing(sampling('always_off', 0, ['priority=critical']), async (tracing) => {
      const parent = extractContext(
        { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
        ROOT_CONTEXT,
      );
      assert.equal(isSampled(tracing.tracer.startSpan('a', { attributes: { priority: 'critical' } }, parent)), true);
      assert.equal(isSampled(tracing.tracer.startSpan('b', {}, parent)), false);
    });
  });
});

describe('buildSampler', () => {
  const base = {
    strategy: 'parent_based_traceid_ratio' as const,
    ratio: 0.1,
    always_sample: ['error=true'],
    error_capture: { enabled: true, max_traces: 1, max_spans_per_trace: 1, max_buffered_spans: 10_000 },
  };
  it('activates error capture only with enabled, the error=true rule and a ratio strategy', () => {
    assert.equal(isErrorCaptureActive(base), true);
    assert.equal(isErrorCaptureActive({ ...base, error_capture: { ...base.error_capture, enabled: false } }), false);
    assert.equal(isErrorCaptureActive({ ...base, always_sample: ['priority=critical'] }), false);
    assert.equal(isErrorCaptureActive({ ...base, strategy: 'always_off' }), false);
    assert.equal(isErrorCaptureActive({ ...base, strategy: 'traceid_ratio' }), true);
  });
  it('names its layers; error capture leaves the strategy sampler as it is', () => {
    const setup = buildSampler(base);
    assert.equal(setup.errorCapture, true);
    assert.match(
      setup.sampler.toString(),
      /^AlwaysSampleRuleSampler\{rules=\[error=true\], delegate=ParentBased\{root=TraceIdRatioBased\{0\.1\}/,
    );
    assert.doesNotMatch(buildSampler({ ...base, always_sample: [] }).sampler.toString(), /Rule/);
  });
});

describe('sampling without a collector', () => {
  let tracing: Tracing;
  before(async () => {
    tracing = await startTracing(
      tracingConfig('http://127.0.0.1:9/v1/traces', 'http/protobuf', sampling('always_on', 1)),
      captureLogger().logger,
    );
  });
  after(async () => {
    await tracing.shutdown(500);
    resetOtelGlobals();
  });
  it('always_on samples every root span', () => {
    for (let i = 0; i < 100; i++) assert.equal(isSampled(tracing.tracer.startSpan('x', {}, ROOT_CONTEXT)), true);
  });
});
