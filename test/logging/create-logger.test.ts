import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace';
import { createLogger, setLogFields } from '../../src/logging/index.js';
import { TENANT_BAGGAGE_KEY } from '../../src/tenancy/tenant-context.js';
import { testConfig } from '../support/config.js';
import { captureLines } from './support/capture.js';
import { startTestTracing, type TestTracing } from './support/otel.js';

describe('createLogger', () => {
  let tracing: TestTracing | undefined;
  afterEach(async () => {
    await tracing?.stop();
    tracing = undefined;
  });

  it('writes one JSON line with level label, time, msg and the service identity', () => {
    const out = captureLines();
    const config = testConfig({
      logging: { level: 'info' },
      service: { name: 'billing', version: '1.5.0', environment: 'production', instance_id: 'pod-7' },
    });
    createLogger(config, { stream: out }).info('hello');
    assert.equal(out.lines.length, 1);
    const line = out.lines[0]!;
    assert.equal(line.level, 'info');
    assert.equal(typeof line.time, 'number');
    assert.equal(line.msg, 'hello');
    assert.equal(line.service, 'billing');
    assert.equal(line.version, '1.5.0');
    assert.equal(line.environment, 'production');
    assert.equal(line.instance_id, 'pod-7');
    assert.equal(line.pid, process.pid);
  });

  it('leaves out identity fields that are not set', () => {
    const out = captureLines();
    createLogger(testConfig({ logging: { level: 'info' }, service: { name: 'svc' } }), { stream: out }).info('x');
    const line = out.lines[0]!;
    assert.equal(line.service, 'svc');
    assert.ok(!('version' in line) && !('environment' in line) && !('instance_id' in line));
  });

  it('honours logging.level', () => {
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'warn' } }), { stream: out });
    logger.info('dropped');
    logger.warn('kept');
    assert.deepEqual(
      out.lines.map((l) => l.msg),
      ['kept'],
    );
  });

  it('adds trace_id, span_id and trace_flags of the active span, and nothing outside a span', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    logger.info('outside');
    const [inside, outside] = out.lines;
    assert.equal(inside!.trace_id, span.spanContext().traceId);
    assert.equal(inside!.span_id, span.spanContext().spanId);
    assert.equal(inside!.trace_flags, '01');
    assert.ok(!('trace_id' in outside!) && !('span_id' in outside!) && !('trace_flags' in outside!));
  });

  it('marks lines of a sampled-out span with trace_flags 00', () => {
    tracing = startTestTracing(new AlwaysOffSampler());
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    assert.equal(out.lines[0]!.trace_id, span.spanContext().traceId);
    assert.equal(out.lines[0]!.trace_flags, '00');
  });

  it('adds tenant_id from the grey.tenant_id baggage entry', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const baggage = propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'tenant-123' } });
    context.with(propagation.setBaggage(context.active(), baggage), () => logger.info('tenant line'));
    assert.equal(out.lines[0]!.tenant_id, 'tenant-123');
  });

  it('keeps the right trace fields when contexts interleave across awaits', async () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const spans = [tracing.tracer.startSpan('a'), tracing.tracer.startSpan('b')];
    await Promise.all(
      spans.map((span, index) =>
        context.with(trace.setSpan(context.active(), span), async () => {
          for (let i = 0; i < 3; i++) {
            logger.info({ index }, 'step');
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      ),
    );
    assert.equal(out.lines.length, 6);
    for (const line of out.lines) assert.equal(line.span_id, spans[line.index as number]!.spanContext().spanId);
  });

  it('adds log fields carried by the context and lets the call fields win', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    context.with(setLogFields({ task_id: 't-9', shard: 3 }), () => logger.info({ shard: 4 }, 'with fields'));
    assert.equal(out.lines[0]!.task_id, 't-9');
    assert.equal(out.lines[0]!.shard, 4);
  });

  it('applies logging.redact paths to the context fields and writes each of them once', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info', redact: ['tenant_id', 'shard'] } }), {
      stream: out,
    });
    const baggage = propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'tenant-secret' } });
    const span = tracing.tracer.startSpan('work');
    const active = setLogFields(
      { shard: 7, task_id: 't-1' },
      trace.setSpan(propagation.setBaggage(context.active(), baggage), span),
    );
    context.with(active, () => {
      logger.info('first');
      logger.info({ task_id: 't-2' }, 'second');
    });
    assert.equal(out.lines[0]!.tenant_id, '[REDACTED]');
    assert.equal(out.lines[0]!.shard, '[REDACTED]');
    assert.equal(out.lines[0]!.task_id, 't-1');
    assert.equal(out.lines[1]!.task_id, 't-2');
    assert.equal(out.lines[1]!.span_id, span.spanContext().spanId);
    assert.ok(!out.raw.join('').includes('tenant-secret'));
    for (const line of out.raw) {
      for (const key of ['trace_id', 'span_id', 'trace_flags', 'tenant_id', 'task_id']) {
        assert.equal(line.split(`"${key}":`).length, 2, `${key} once in ${line}`);
      }
    }
  });

  it('does not mutate the object passed to the log call', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const fields = { order: 1 };
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info(fields, 'x'));
    assert.deepEqual(fields, { order: 1 });
    assert.equal(out.lines[0]!.order, 1);
  });

  it('gives child loggers the identity, the trace fields and their own bindings', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' }, service: { name: 'svc' } }), { stream: out });
    const child = logger.child({ component: 'scheduler' });
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => child.info({ password: 'hunter22' }, 'child line'));
    const line = out.lines[0]!;
    assert.equal(line.component, 'scheduler');
    assert.equal(line.service, 'svc');
    assert.equal(line.trace_id, span.spanContext().traceId);
    assert.equal(line.password, '[REDACTED]');
  });
});
