import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { propagation, trace, ProxyTracerProvider } from '@opentelemetry/api';
import { initObservability, markStartedByRegister, type ObservabilityHandle } from '../src/init.js';
import { startHttpReceiver } from './support/otlp-receiver.js';
import { isObservabilityError } from '../src/errors.js';
import { getRuntime } from '../src/runtime.js';
import { createTempDir, type TempDir } from './support/temp-dir.js';

const QUIET = { prometheus: { host: '127.0.0.1', port: 0 }, logging: { level: 'silent' as const } };

let dir: TempDir;
let live: ObservabilityHandle | undefined;
before(() => {
  dir = createTempDir();
});
afterEach(async () => {
  await live?.shutdown();
  live = undefined;
});
after(() => dir.remove());

function tracerProviderIsRegistered(): boolean {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

async function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, port: address.port };
}

describe('initObservability', () => {
  it('starts on the embedded defaults when there is no config file, and serves /metrics', async () => {
    live = await initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
    assert.equal(live.configFile, undefined);
    assert.equal(live.config.prometheus.path, '/metrics');
    assert.ok(live.metricsServer);
    const response = await fetch(live.metricsServer.url);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^# TYPE grey_tasks_submitted_total counter$/m);
    assert.equal(typeof live.tracer.startSpan, 'function');
    assert.equal(typeof live.logger.info, 'function');
    assert.ok(tracerProviderIsRegistered(), 'the SDK is registered while the handle is live');
  });

  it('returns the handle parts: config, logger, metrics, tracer, shutdown', async () => {
    const file = dir.write('svc.yaml', 'service:\n  name: svc-under-test\n');
    live = await initObservability({ configFile: file, env: {}, overrides: QUIET });
    assert.equal(live.config.service.name, 'svc-under-test');
    assert.equal(live.configFile, file);
    assert.equal(live.sources['service.name']?.source, 'file');
    assert.equal(getRuntime()?.config, live.config);
  });

  it('installs no signal or exit handler: the service keeps its own shutdown', async () => {
    const events = ['SIGTERM', 'SIGINT', 'beforeExit', 'exit', 'uncaughtException', 'unhandledRejection'] as const;
    const before = events.map((event) => process.listenerCount(event));
    live = await initObservability({
      cwd: dir.path,
      env: {},
      overrides: { ...QUIET, opentelemetry: { enabled: true } },
    });
    assert.deepEqual(
      events.map((event) => process.listenerCount(event)),
      before,
    );
    await live.shutdown();
    assert.deepEqual(
      events.map((event) => process.listenerCount(event)),
      before,
    );
  });

  it('rejects a second call while a handle is live, and starts again after shutdown', async () => {
    live = await initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
    await assert.rejects(
      initObservability({ cwd: dir.path, env: {}, overrides: QUIET }),
      (err) => isObservabilityError(err, 'OBS_ERR_ALREADY_INITIALIZED') && /getObservability\(\)/.test(err.message),
    );
    await live.shutdown();
    live = await initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
    assert.ok(live.metricsServer);
  });

  it('rejects a second call made while the first is still starting', async () => {
    const first = initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
    const second = initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
    // Handled at once: the first start reads files (resource detection), so it outlives a tick.
    const rejected = assert.rejects(second, (err) => isObservabilityError(err, 'OBS_ERR_ALREADY_INITIALIZED'));
    live = await first;
    await rejected;
  });

  it('shutdown() is safe to call twice, releases the port and unregisters the SDK', async () => {
    live = await initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
    const url = live.metricsServer?.url as string;
    const first = live.shutdown();
    const second = live.shutdown();
    assert.equal(first, second);
    await first;
    await assert.rejects(fetch(url));
    assert.equal(getRuntime(), undefined);
    assert.equal(tracerProviderIsRegistered(), false);
    assert.deepEqual(propagation.fields(), []);
  });

  it('fails with OBS_ERR_PORT_IN_USE naming the port and leaves nothing started', async () => {
    const { server, port } = await listenOnFreePort();
    try {
      await assert.rejects(
        initObservability({ cwd: dir.path, env: {}, overrides: { ...QUIET, prometheus: { host: '127.0.0.1', port } } }),
        (err) =>
          isObservabilityError(err, 'OBS_ERR_PORT_IN_USE') &&
          err.message.includes(String(port)) &&
          err.message.includes('prometheus.port'),
      );
      assert.equal(getRuntime(), undefined);
      assert.equal(tracerProviderIsRegistered(), false, 'no global SDK stays registered');
      assert.deepEqual(propagation.fields(), []);
    } finally {
      server.close();
    }
    live = await initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
  });

  it('fails on bad config with nothing started, so the next call works', async () => {
    const file = dir.write('bad.yaml', 'opentelemetry:\n  sampling:\n    ratio: 3\n');
    await assert.rejects(initObservability({ configFile: file, env: {}, overrides: QUIET }), (err) =>
      isObservabilityError(err, 'OBS_ERR_CONFIG_INVALID'),
    );
    assert.equal(getRuntime(), undefined);
    assert.equal(tracerProviderIsRegistered(), false);
    live = await initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
  });

  it('starts and traces with OTEL_TRACES_SAMPLER=xray, logging one warning per ignored variable', async () => {
    const receiver = await startHttpReceiver();
    const log = join(dir.path, 'xray.log');
    try {
      const file = dir.write(
        'xray.yaml',
        [
          'logging:',
          '  level: info',
          `  destination: ${JSON.stringify(log)}`,
          'opentelemetry:',
          '  sampling:',
          '    strategy: always_on',
          '  batch:',
          '    scheduled_delay_ms: 10',
          '',
        ].join('\n'),
      );
      live = await initObservability({
        configFile: file,
        env: {
          OTEL_TRACES_SAMPLER: 'xray',
          OTEL_TRACES_SAMPLER_ARG: 'abc',
          OTEL_PROPAGATORS: 'tracecontext,xray',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        },
        overrides: { prometheus: { host: '127.0.0.1', port: 0 } },
      });
      assert.equal(live.config.opentelemetry.sampling.strategy, 'always_on');
      assert.deepEqual(live.config.opentelemetry.propagation, ['tracecontext']);
      live.tracer.startSpan('work under xray').end();
      const spans = await receiver.waitForSpans(1, 10_000);
      assert.ok(
        spans.some((span) => span.name === 'work under xray'),
        spans.map((s) => s.name).join(', '),
      );
      await live.shutdown();
      live = undefined;
      const lines = readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const warnings = lines.filter((line) => line.code === 'OBS_WARN_CONFIG_ENV_IGNORED');
      assert.deepEqual(
        warnings.map((line) => [line.level, line.variable, line.value]),
        [
          ['warn', 'OTEL_TRACES_SAMPLER', 'xray'],
          ['warn', 'OTEL_TRACES_SAMPLER_ARG', 'abc'],
          ['warn', 'OTEL_PROPAGATORS', 'tracecontext,xray'],
        ],
      );
      assert.match(
        String(warnings[0]?.msg),
        /^OBS_WARN_CONFIG_ENV_IGNORED: environment variable OTEL_TRACES_SAMPLER="xray"/,
      );
      assert.ok(String(warnings[0]?.msg).includes(`keeps its value from the config file ${file}`));
      assert.equal(warnings[0]?.trace_id, undefined, 'a warning line carries no trace of the service');
    } finally {
      await receiver.close();
    }
  });

  it('still rejects when tracing cannot start (outside register, nothing is left half-started)', async () => {
    // Another SDK's tracer provider is registered: ours cannot be.
    trace.setGlobalTracerProvider({ getTracer: () => new ProxyTracerProvider().getTracer('other') });
    try {
      await assert.rejects(
        initObservability({ cwd: dir.path, env: {}, overrides: { ...QUIET, opentelemetry: { enabled: true } } }),
        (err) => isObservabilityError(err, 'OBS_ERR_TRACING_START'),
      );
      assert.equal(getRuntime(), undefined);
    } finally {
      trace.disable();
    }
  });

  it('honours OTEL_SDK_DISABLED and prometheus.enabled=false', async () => {
    live = await initObservability({
      cwd: dir.path,
      env: { OTEL_SDK_DISABLED: 'true' },
      overrides: { ...QUIET, prometheus: { enabled: false } },
    });
    assert.equal(live.config.opentelemetry.enabled, false);
    assert.equal(live.metricsServer, undefined);
    const span = live.tracer.startSpan('x');
    assert.equal(span.isRecording(), false);
    span.end();
  });

  it('returns the live handle to a service that calls it after register started observability', async () => {
    const lines: Array<Record<string, unknown>> = [];
    live = await initObservability({ cwd: dir.path, env: {}, overrides: { ...QUIET, logging: { level: 'warn' } } });
    markStartedByRegister();
    const again = await initObservability();
    assert.equal(again, live, 'no options: the live handle, silently');
    const original = live.logger.warn.bind(live.logger);
    live.logger.warn = ((fields: Record<string, unknown>) => void lines.push(fields)) as never;
    try {
      assert.equal(await initObservability({ overrides: { service: { name: 'other' } } }), live);
    } finally {
      live.logger.warn = original;
    }
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.code, 'OBS_WARN_ALREADY_INITIALIZED');
    await live.shutdown();
    live = await initObservability({ cwd: dir.path, env: {}, overrides: QUIET });
    await assert.rejects(initObservability({ env: {}, overrides: QUIET }), (err) =>
      isObservabilityError(err, 'OBS_ERR_ALREADY_INITIALIZED'),
    );
  });

  it('counts failed exports on /metrics and in health(), with the reason', async () => {
    const receiver = await startHttpReceiver({ kind: 'fail' });
    try {
      live = await initObservability({
        cwd: dir.path,
        env: {},
        overrides: {
          ...QUIET,
          opentelemetry: {
            exporter: { protocol: 'http/protobuf', endpoint: receiver.url, timeout_ms: 300 },
            batch: { scheduled_delay_ms: 10 },
            sampling: { strategy: 'always_on' },
          } as never,
        },
      });
      const before = await (await fetch(live.metricsServer!.url)).text();
      for (const reason of ['timeout', 'unavailable', 'rejected', 'shutdown', 'other'])
        assert.match(before, new RegExp(`^grey_observability_spans_failed_total\\{reason="${reason}"\\} 0$`, 'm'));
      assert.match(before, /^grey_observability_spans_exported_total 0$/m);
      assert.match(before, /^grey_observability_spans_dropped_total\{reason="queue_full"\} 0$/m);
      live.tracer.startSpan('lost').end();
      for (let i = 0; i < 200 && live.health().spans.failed.rejected === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      // The span above and the spans of the /metrics request (http instrumentation) were all refused.
      const { spans } = live.health();
      assert.ok(spans.failed.rejected >= 1, JSON.stringify(spans));
      assert.equal(spans.exported, 0);
      const after = await (await fetch(live.metricsServer!.url)).text();
      const exposed = /^grey_observability_spans_failed_total\{reason="rejected"\} (\d+)$/m.exec(after);
      assert.ok(exposed !== null && Number(exposed[1]) >= spans.failed.rejected, after);
    } finally {
      await live?.shutdown();
      live = undefined;
      await receiver.close();
    }
  });
});
