/**
 * Issue 13 (g): the lifecycle edges, defined and documented in docs/reliability.md: double init
 * (sequential and concurrent), init after shutdown, init while a shutdown is still under way,
 * shutdown right after init resolved, and shutdown twice at once.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { afterEach, before, after, describe, it } from 'node:test';
import { trace, ProxyTracerProvider } from '@opentelemetry/api';
import { getObservability, initObservability, type InitOptions, type ObservabilityHandle } from '../../src/init.js';
import { isObservabilityError } from '../../src/errors.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

let dir: TempDir;
let receiver: OtlpReceiver;
const live: ObservabilityHandle[] = [];

function options(extra: { tracing?: boolean; shutdownMs?: number } = {}): InitOptions {
  return {
    env: {},
    cwd: dir.path,
    overrides: {
      service: { name: 'lifecycle-fixture' },
      prometheus: { host: '127.0.0.1', port: 0 },
      logging: { level: 'silent' },
      opentelemetry: {
        enabled: extra.tracing ?? false,
        exporter: { protocol: 'http/protobuf', endpoint: receiver.url, timeout_ms: 10_000 },
        sampling: { strategy: 'always_on' },
        batch: { scheduled_delay_ms: 20 },
      },
      shutdown_timeout_ms: extra.shutdownMs ?? 2_000,
    },
  };
}

async function start(extra?: Parameters<typeof options>[0]): Promise<ObservabilityHandle> {
  const handle = await initObservability(options(extra));
  live.push(handle);
  return handle;
}

function tracerProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function scrapeStatus(handle: ObservabilityHandle): Promise<number> {
  return (await fetch(handle.metricsServer?.url as string)).status;
}

before(async () => {
  dir = createTempDir('grey-lifecycle-');
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await Promise.all(live.splice(0).map((h) => h.shutdown()));
  receiver.setMode({ kind: 'ok' });
});
after(async () => {
  await receiver.close();
  dir.remove();
});

describe('lifecycle edges', () => {
  it('double init: the second call rejects with OBS_ERR_ALREADY_INITIALIZED and the first handle keeps working', async () => {
    const first = await start();
    await assert.rejects(initObservability(options()), (error: unknown) => {
      assert.ok(isObservabilityError(error));
      assert.equal(error.code, 'OBS_ERR_ALREADY_INITIALIZED');
      assert.match(error.message, /getObservability\(\)|shutdown\(\)/);
      return true;
    });
    assert.equal(getObservability(), first);
    assert.equal(await scrapeStatus(first), 200);
  });

  it('concurrent double init: exactly one call starts, the other rejects with OBS_ERR_ALREADY_INITIALIZED', async () => {
    const results = await Promise.allSettled([initObservability(options()), initObservability(options())]);
    const started = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    live.push(...started);
    assert.equal(started.length, 1);
    assert.equal(rejected.length, 1);
    assert.ok(isObservabilityError(rejected[0]) && rejected[0].code === 'OBS_ERR_ALREADY_INITIALIZED');
    assert.equal(getObservability(), started[0]);
  });

  it('init after shutdown: starts afresh; the old port is released and the old handle is inert', async () => {
    const first = await start({ tracing: true });
    const oldPort = first.metricsServer?.port as number;
    await first.shutdown();
    assert.equal(getObservability(), undefined);
    assert.equal(tracerProviderRegistered(), false);
    assert.ok(await portIsFree(oldPort), 'the first endpoint port is free again');
    const second = await start({ tracing: true });
    assert.equal(getObservability(), second);
    assert.equal(tracerProviderRegistered(), true);
    assert.equal(await scrapeStatus(second), 200);
    // The first handle's shutdown stays a no-op returning its settled promise.
    await first.shutdown();
    assert.equal(tracerProviderRegistered(), true, "a stale handle's shutdown() does not stop the new one");
    assert.equal(await scrapeStatus(second), 200);
  });

  it('init while a shutdown is still flushing: the new handle is fully live once both settle', async () => {
    receiver.setMode({ kind: 'hang' });
    const first = await start({ tracing: true, shutdownMs: 1_500 });
    first.tracer.startSpan('pending export').end();
    const stopping = first.shutdown();
    const second = await start({ tracing: true });
    await stopping;
    assert.equal(getObservability(), second);
    assert.equal(tracerProviderRegistered(), true, 'the old shutdown did not unregister the new tracer provider');
    receiver.setMode({ kind: 'ok' });
    const before = receiver.spans().length;
    trace.getTracer('lifecycle').startSpan('after both').end();
    const spans = await receiver.waitForSpans(before + 1, 5_000);
    assert.ok(
      spans.some((s) => s.name === 'after both'),
      'a span of the global tracer reaches the collector',
    );
    assert.equal(await scrapeStatus(second), 200);
  });

  it('shutdown right after init resolved, and twice at once: one promise, resolved within shutdown_timeout_ms', async () => {
    receiver.setMode({ kind: 'hang' });
    const handle = await start({ tracing: true, shutdownMs: 1_000 });
    handle.tracer.startSpan('unexportable').end();
    const a = handle.shutdown();
    const b = handle.shutdown();
    assert.equal(a, b);
    // A watchdog far above shutdown_timeout_ms, not a time bound: against a collector that never
    // answers, shutdown resolves by abandoning the span, which health() then counts as such.
    let watchdog: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      Promise.all([a, b]).then(() => 'resolved'),
      new Promise<string>((resolve) => (watchdog = setTimeout(() => resolve('hung'), 60_000))),
    ]);
    clearTimeout(watchdog);
    assert.equal(settled, 'resolved');
    assert.equal(handle.health().spans.failed.shutdown, 1);
    assert.equal(getObservability(), undefined);
    assert.equal(tracerProviderRegistered(), false);
  });
});
