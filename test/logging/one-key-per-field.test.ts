import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { createLogger, setLogFields } from '../../src/logging/index.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { testConfig } from '../support/config.js';
import { captureLines, type CapturedLines } from './support/capture.js';
import { repeatedKeys, topLevelKeys } from './support/json-keys.js';
import { startTestTracing, type TestTracing } from './support/otel.js';

describe('one key per field', () => {
  let tracing: TestTracing;
  let out: CapturedLines;
  const config = testConfig({
    logging: { level: 'info' },
    service: { name: 'billing', version: '1.5.0', environment: 'production', instance_id: 'pod-7' },
  });
  beforeEach(() => {
    tracing = startTestTracing();
    out = captureLines();
  });
  afterEach(async () => {
    await tracing.stop();
  });

  /** The one value of `key` in the last raw line, after checking no key repeats. */
  const only = (key: string): unknown => {
    const raw = out.raw.at(-1) ?? '';
    assert.deepEqual(repeatedKeys(raw), [], raw);
    assert.equal(topLevelKeys(raw).filter((k) => k === key).length, 1, `${key} once in ${raw}`);
    return out.lines.at(-1)?.[key];
  };

  it('writes the tenant of withTenant once when a child bound another tenant_id', () => {
    const obs = { logger: createLogger(config, { stream: out }) };
    const reqLog = obs.logger.child({ tenant_id: 'acme' });
    withTenant('globex', () => reqLog.info('hello'));
    assert.equal(only('tenant_id'), 'globex');
    reqLog.info('outside');
    assert.equal(only('tenant_id'), 'acme');
  });

  it("never repeats pino's level, time and msg: call fields of those names are renamed, not lost", () => {
    const logger = createLogger(config, { stream: out }).child({ component: 'jobs' });
    logger.info({ level: 'weird', time: 0, msg: 'm2', pid: 1, service: 'x' }, 'reserved keys');
    assert.equal(only('level'), 'info');
    assert.equal(only('msg'), 'reserved keys');
    assert.notEqual(only('time'), 0);
    assert.deepEqual(
      [only('level_field'), only('time_field'), only('msg_field'), only('pid'), only('service')],
      ['weird', 0, 'm2', 1, 'x'],
    );
    logger.info({ msg: 'the message' });
    assert.equal(only('msg'), 'the message', 'without a message argument pino takes the field as the message');
  });

  it('writes the active span ids once when a child bound stale ones', () => {
    const logger = createLogger(config, { stream: out }).child({
      trace_id: 'stale',
      span_id: 'stale',
      trace_flags: '00',
    });
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('in span'));
    span.end();
    assert.equal(only('trace_id'), span.spanContext().traceId);
    assert.equal(only('span_id'), span.spanContext().spanId);
    assert.equal(only('trace_flags'), '01');
  });

  const packageFields = [
    'service',
    'version',
    'environment',
    'instance_id',
    'pid',
    'hostname',
    'trace_id',
    'span_id',
    'trace_flags',
    'tenant_id',
  ];
  for (const field of packageFields) {
    it(`writes ${field} once whether it comes from the identity, bindings, context or the call`, () => {
      const root = createLogger(config, { stream: out });
      const inner = root.child({ [field]: 'outer' }).child({ [field]: 'inner' });
      const span = tracing.tracer.startSpan('work');
      const inSpan = trace.setSpan(context.active(), span);
      context.with(inSpan, () =>
        withTenant('t1', () => {
          inner.info('bindings and context');
          const fromContext = only(field);
          if (['trace_id', 'span_id', 'trace_flags', 'tenant_id'].includes(field))
            assert.notEqual(fromContext, 'inner');
          else assert.equal(fromContext, 'inner');
          inner.info({ [field]: 'call' }, 'call wins');
          assert.equal(only(field), 'call');
          root.info({ [field]: 'call' }, 'call over identity');
          assert.equal(only(field), 'call');
        }),
      );
      span.end();
      inner.info('no context');
      assert.equal(only(field), 'inner');
    });
  }

  it('lets @Instrument fields of the context override a binding of the same name', () => {
    const logger = createLogger(config, { stream: out }).child({ order_id: 1, component: 'api' });
    context.with(setLogFields({ order_id: 2 }), () => logger.info('fields'));
    assert.equal(only('order_id'), 2);
    assert.equal(only('component'), 'api');
    logger.info({ order_id: 3 }, 'call');
    assert.equal(only('order_id'), 3);
  });

  it('keeps nested and quoted binding values intact and still censored when a key is overridden', () => {
    const meta = { note: 'a,"tenant_id":"x"}', list: [1, { c: '}]' }], deep: { e: null } };
    const logger = createLogger(config, { stream: out }).child({ meta, password: 'hunter22', tenant_id: 'acme' });
    withTenant('globex', () => logger.info('nested'));
    assert.equal(only('tenant_id'), 'globex');
    assert.deepEqual(out.lines.at(-1)?.meta, meta);
    assert.equal(only('password'), '[REDACTED]');
    assert.ok(!(out.raw.at(-1) ?? '').includes('hunter22'));
  });

  it('writes one key for a user binding given again in the call or by a grandchild', () => {
    const logger = createLogger(config, { stream: out }).child({ component: 'a' });
    logger.info({ component: 'b' }, 'call');
    assert.equal(only('component'), 'b');
    logger.child({ component: 'c' }).info('grandchild');
    assert.equal(only('component'), 'c');
    logger.info('plain');
    assert.equal(only('component'), 'a');
  });

  it('writes one key for a binding given again by setBindings(), also inside a context', () => {
    const logger = createLogger(config, { stream: out }).child({ component: 'a' });
    context.with(setLogFields({ order_id: 1 }), () => {
      logger.info('before');
      logger.setBindings({ component: 'b', token: 'v-late' });
      logger.info('after');
    });
    assert.equal(only('component'), 'b');
    assert.equal(only('order_id'), 1);
    assert.equal(only('token'), '[REDACTED]');
  });
});
