import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { createLogger } from '../src/logging/index.js';
import { TENANT_BAGGAGE_KEY } from '../src/tenancy/tenant-context.js';
import { ExportHealth } from '../src/tracing/export-health.js';
import { warn } from '../src/warnings.js';
import { captureLines } from './logging/support/capture.js';
import { startTestTracing, type TestTracing } from './logging/support/otel.js';
import { testConfig } from './support/config.js';

describe('warnings', () => {
  let tracing: TestTracing | undefined;
  afterEach(async () => {
    await tracing?.stop();
    tracing = undefined;
  });

  it("writes the package's own lines outside the user's trace and tenant context", () => {
    tracing = startTestTracing();
    const lines = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: lines });
    const health = new ExportHealth(logger);
    const span = tracing.tracer.startSpan('user work');
    const userContext = propagation.setBaggage(
      trace.setSpan(context.active(), span),
      propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'tenant-secret' } }),
    );
    context.with(userContext, () => {
      logger.info('user line');
      health.dropped('export_failed', 3, new Error('collector down'));
    });
    span.end();
    const user = lines.lines.find((line) => line.msg === 'user line')!;
    assert.equal(user.trace_id, span.spanContext().traceId, 'the user line is correlated');
    assert.equal(user.tenant_id, 'tenant-secret');
    const own = lines.lines.find((line) => line.code === 'OBS_WARN_EXPORT_FAILED')!;
    assert.ok(own, 'the warning was written');
    for (const field of ['trace_id', 'span_id', 'trace_flags', 'tenant_id']) assert.equal(own[field], undefined, field);
    assert.match(String(own.msg), /^OBS_WARN_EXPORT_FAILED: /);
  });

  it('rate-limits per code and scope, and says how many lines were suppressed', () => {
    const written: Array<Record<string, unknown>> = [];
    const logger = { warn: (fields: Record<string, unknown>) => void written.push(fields) };
    for (let i = 0; i < 5; i++)
      warn(logger, 'OBS_WARN_HOOK_FAILED', 'a', { message: 'hook threw', intervalMs: 60_000 });
    warn(logger, 'OBS_WARN_HOOK_FAILED', 'b', { message: 'hook threw' });
    assert.deepEqual(
      written.map((fields) => fields.code),
      ['OBS_WARN_HOOK_FAILED', 'OBS_WARN_HOOK_FAILED'],
      'one line per scope within the interval',
    );
    warn(logger, 'OBS_WARN_HOOK_FAILED', 'a', { message: 'hook threw', intervalMs: 0 });
    assert.equal(written.at(-1)!.suppressed, 4);
  });

  it('never throws when the logger does', () => {
    const logger = {
      warn: () => {
        throw new Error('destination gone');
      },
    };
    assert.equal(warn(logger, 'OBS_WARN_SCRAPE_FAILED', 'x', { message: 'm' }), false);
  });
});
