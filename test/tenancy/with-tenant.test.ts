import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, propagation } from '@opentelemetry/api';
import { SpanAttributes, SpanNames } from '../../src/tracing/span-names.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { TENANT_BAGGAGE_KEY, currentTenant } from '../../src/tenancy/tenant-context.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { testConfig } from '../support/config.js';
import { captureLogger, resetOtelGlobals } from '../tracing/helpers.js';

describe('withTenant', () => {
  let tracing: Tracing;
  before(async () => {
    tracing = await startTracing(testConfig(), captureLogger().logger);
  });
  after(async () => {
    await tracing.shutdown(100);
    resetOtelGlobals();
  });

  it('returns what the function returns and scopes the tenant to it', () => {
    assert.equal(currentTenant(), undefined);
    assert.equal(
      withTenant('t1', () => `${currentTenant()}!`),
      't1!',
    );
    assert.equal(currentTenant(), undefined);
  });

  it('runs the function untouched when the id is not a non-empty string, and never throws', () => {
    for (const bad of [{}, 42, Symbol('t'), undefined, null, '']) {
      const seen = withTenant(bad as unknown as string, () => currentTenant());
      assert.equal(seen, undefined, String(typeof bad));
    }
    withTenant('outer', () => {
      assert.equal(
        withTenant({} as unknown as string, () => currentTenant()),
        'outer',
      );
    });
  });

  it('keeps the tenant across await and timers', async () => {
    const seen = await withTenant('t-async', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentTenant();
    });
    assert.equal(seen, 't-async');
  });

  it('lets an inner tenant win and keeps the other baggage entries', () => {
    const outer = propagation.setBaggage(context.active(), propagation.createBaggage({ region: { value: 'eu' } }));
    context.with(outer, () =>
      withTenant('outer', () =>
        withTenant('inner', () => {
          assert.equal(currentTenant(), 'inner');
          assert.equal(propagation.getBaggage(context.active())?.getEntry('region')?.value, 'eu');
        }),
      ),
    );
  });

  it('uses the spec key grey.tenant_id for the baggage entry and the span attribute', () => {
    assert.equal(TENANT_BAGGAGE_KEY, 'grey.tenant_id');
    assert.equal(SpanAttributes.TENANT_ID, TENANT_BAGGAGE_KEY);
  });
});

describe('SpanNames', () => {
  it('lists the spec hierarchy', () => {
    assert.deepEqual(Object.values(SpanNames), [
      'grey.request',
      'grey.auth.validate_token',
      'grey.scheduler.submit_task',
      'grey.consensus.propose',
      'grey.consensus.replicate',
      'grey.storage.persist',
      'grey.worker.execute',
      'grey.tee.enter_enclave',
      'grey.task.run',
      'grey.tee.exit_enclave',
      'grey.response.build',
    ]);
    assert.deepEqual(Object.values(SpanAttributes), [
      'grey.tenant_id',
      'grey.task_id',
      'grey.task_type',
      'grey.tee.platform',
    ]);
  });
});
