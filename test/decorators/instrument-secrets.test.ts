/**
 * Issue 19, item 7: `@Instrument` decides which arguments and attributes are secrets with the one
 * list of secret names (src/secrets), the names the config adds included.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Instrument } from '../../src/decorators/index.js';
import { getRuntime } from '../../src/runtime.js';
import { installTestRuntime, type TestRuntime } from './support/runtime.js';

describe('Instrument with the one list of secret names', () => {
  let runtime: TestRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  it('records none of the issue 19 secret names among automatic arguments, and keeps the readable ones', () => {
    runtime = installTestRuntime();
    class Client {
      @Instrument()
      call(
        passwd: string,
        secret: string,
        refresh_token: string,
        accessToken: string,
        privateKey: string,
        xAuthToken: string,
        token_count: number,
        author: string,
        keyboard: string,
      ): number {
        return (
          [passwd, secret, refresh_token, accessToken, privateKey, xAuthToken, author, keyboard].length + token_count
        );
      }
    }
    new Client().call('v1', 'v2', 'v3', 'v4', 'v5', 'v6', 40, 'ann', 'qwerty');
    const span = runtime.tracing.exporter.getFinishedSpans()[0]!;
    assert.deepEqual(span.attributes, { token_count: 40, author: 'ann', keyboard: 'qwerty' });
  });

  it('records a secret-named field the service asked for as [REDACTED], on the span and in log lines', () => {
    runtime = installTestRuntime(undefined, { opentelemetry: { exporter: { headers: { 'X-Tenant-Key': 'x' } } } });
    class Gateway {
      @Instrument({ fields: ['request.api_key', 'request.path', 'xTenantKey', 'clientSecret'] })
      forward(request: { api_key: string; path: string }, xTenantKey: string, clientSecret: string): string {
        getRuntime()?.logger.info('forwarding');
        return `${request.path}${xTenantKey.length}${clientSecret.length}`;
      }
    }
    new Gateway().forward({ api_key: 'v-key', path: '/items' }, 'v-tenant-key', 'v-client-secret');
    const span = runtime.tracing.exporter.getFinishedSpans()[0]!;
    assert.deepEqual(span.attributes, {
      'request.api_key': '[REDACTED]',
      'request.path': '/items',
      xTenantKey: '[REDACTED]',
      clientSecret: '[REDACTED]',
    });
    const line = runtime.logs.lines.find((l) => l.msg === 'forwarding')!;
    assert.equal(line['request.api_key'], '[REDACTED]');
    assert.equal(line['request.path'], '/items');
    const raw = runtime.logs.raw.join('') + JSON.stringify(span.attributes);
    for (const value of ['v-key', 'v-tenant-key', 'v-client-secret']) assert.ok(!raw.includes(value), value);
  });

  it('records secret-named attributes of the attributes option as [REDACTED]', () => {
    runtime = installTestRuntime();
    class Store {
      @Instrument({ attributes: { 'db.system': 'postgresql', 'db.password': 'v-fixed' } })
      read(id: string): string {
        return id;
      }

      @Instrument({ attributes: (args) => ({ 'user.id': String(args[0]), 'user.session_token': 'v-hooked' }) })
      write(id: string): string {
        return id;
      }
    }
    new Store().read('r1');
    new Store().write('w1');
    const [read, write] = runtime.tracing.exporter.getFinishedSpans();
    assert.deepEqual(read!.attributes, { 'db.system': 'postgresql', 'db.password': '[REDACTED]', id: 'r1' });
    assert.deepEqual(write!.attributes, { id: 'w1', 'user.id': 'w1', 'user.session_token': '[REDACTED]' });
  });
});
