/**
 * Issue 19, item 7: `@Task` censors secret-named attributes with the one list of secret names
 * (src/secrets), as `@Instrument` does: fixed attributes by the built-in names, those of the
 * attributes function by the config's names too.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Task } from '../../src/decorators/index.js';
import { installTestRuntime, type TestRuntime } from './support/runtime.js';

describe('Task with the one list of secret names', () => {
  let runtime: TestRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  it('records secret-named fixed attributes as [REDACTED] and keeps the readable ones', async () => {
    runtime = installTestRuntime();
    class Jobs {
      @Task({ type: 'sync', attributes: { 'queue.name': 'billing', 'queue.apiKey': 'v-fixed', passwd: 'v-pw' } })
      async run(): Promise<number> {
        return 1;
      }
    }
    assert.equal(await new Jobs().run(), 1);
    const span = runtime.tracing.exporter.getFinishedSpans()[0]!;
    assert.equal(span.attributes['queue.name'], 'billing');
    assert.equal(span.attributes['queue.apiKey'], '[REDACTED]');
    assert.equal(span.attributes.passwd, '[REDACTED]');
    assert.equal(span.attributes['grey.task_type'], 'sync');
  });

  it('records secret-named attributes of the attributes function as [REDACTED], configured header names included', async () => {
    runtime = installTestRuntime(undefined, { opentelemetry: { exporter: { headers: { 'X-Tenant-Key': 'x' } } } });
    class Jobs {
      @Task({
        type: 'sync',
        attributes: (args) => ({ 'job.id': String(args[0]), refresh_token: 'v-hooked', xTenantKey: 'v-header' }),
      })
      async run(id: string): Promise<string> {
        return id;
      }
    }
    assert.equal(await new Jobs().run('j1'), 'j1');
    const span = runtime.tracing.exporter.getFinishedSpans()[0]!;
    assert.equal(span.attributes['job.id'], 'j1');
    assert.equal(span.attributes.refresh_token, '[REDACTED]');
    assert.equal(span.attributes.xTenantKey, '[REDACTED]');
    const raw = runtime.logs.raw.join('') + JSON.stringify(span.attributes);
    for (const value of ['v-hooked', 'v-header']) assert.ok(!raw.includes(value), value);
  });
});
