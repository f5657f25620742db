// Issue 20 (2-4): NodeSDK's options in code, resource detection and untraced health checks, end to end
// through the real SDK, a real HTTP server and the loopback OTLP receiver.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { loadConfig } from '../../src/config/load.js';
import { initObservability, type ObservabilityHandle } from '../../src/init.js';
import { detectResource, expandDetectorNames } from '../../src/tracing/resource.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

class CountingProcessor implements SpanProcessor {
  started: string[] = [];
  ended: string[] = [];
  onStart(span: Span, _context: Context): void {
    this.started.push(span.name);
  }
  onEnd(span: ReadableSpan): void {
    this.ended.push(span.name);
  }
  forceFlush = async (): Promise<void> => undefined;
  shutdown = async (): Promise<void> => undefined;
}

describe('initObservability with NodeSDK options, detectors and ignored paths', () => {
  let receiver: OtlpReceiver;
  let obs: ObservabilityHandle;
  let server: Server;
  let base: string;
  const processor = new CountingProcessor();

  before(async () => {
    receiver = await startHttpReceiver();
    obs = await initObservability({
      env: {},
      spanProcessors: [processor],
      resourceDetectors: [{ detect: () => ({ attributes: { 'cloud.region': 'test-region-1' } }) }],
      overrides: {
        prometheus: { host: '127.0.0.1', port: 0 },
        logging: { level: 'silent' },
        opentelemetry: {
          exporter: { protocol: 'http/protobuf', endpoint: receiver.url },
          batch: { scheduled_delay_ms: 50 },
          sampling: { strategy: 'always_on' },
          // The receiver runs in this process: its own /v1/traces requests are not the service's.
          http: { ignore_incoming_paths: ['/healthz', '/internal/*', '/v1/traces'] },
        },
      },
    });
    server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await obs?.shutdown();
    await receiver?.close();
  });

  it('makes no server span for GET /healthz and /internal/ready while GET /work makes one', async () => {
    for (const path of ['/healthz', '/healthz?probe=1', '/internal/ready', '/work'])
      await (await fetch(base + path)).text();
    obs.tracer.startActiveSpan('marker', (span) => span.end());
    const spans = await receiver.waitForSpans(6, 30_000);
    const servers = spans.filter((span) => span.kind === 2);
    assert.deepEqual(
      servers.map((span) => span.attributes['url.path'] ?? span.attributes['http.target']),
      ['/work'],
    );
    // The client side of each request is still traced: only incoming requests are ignored.
    assert.equal(spans.filter((span) => span.kind === 3).length, 4);
  });

  it('exports spans carrying host.name, process.pid, process.runtime.name and the code detector', async () => {
    const [span] = await receiver.waitForSpans(1, 30_000);
    assert.equal(span?.resource['host.name'], (await import('node:os')).hostname());
    assert.equal(span?.resource['process.pid'], process.pid);
    assert.equal(span?.resource['process.runtime.name'], 'nodejs');
    assert.equal(span?.resource['cloud.region'], 'test-region-1');
    // The command line may hold secrets: it is not exported.
    assert.equal(span?.resource['process.command_args'], undefined);
  });

  it('gives the code span processor every sampled span', async () => {
    // Every span it was given is exported too, and nothing is exported that it was not given.
    const spans = await receiver.waitForSpans(processor.ended.length, 30_000);
    assert.equal(processor.ended.length, 6, processor.ended.join());
    assert.equal(
      spans.length,
      processor.ended.length,
      JSON.stringify(spans.map((s) => [s.name, s.kind, s.attributes['url.full'] ?? s.attributes['server.port']])),
    );
    assert.deepEqual([...processor.ended].sort(), spans.map((span) => span.name).sort());
    assert.equal(processor.started.length, processor.ended.length);
  });

  it('serves target_info with the same identity on /metrics', async () => {
    const text = await (await fetch(obs.metricsServer!.url)).text();
    const line = text.split('\n').find((l) => l.startsWith('target_info{'));
    assert.ok(line, 'no target_info sample');
    assert.match(line, new RegExp(`process_pid="${process.pid}"`));
    assert.match(line, /process_runtime_name="nodejs"/);
    assert.match(line, /service_name="grey-service"/);
    assert.match(line, / 1$/);
  });

  it('makes no server span for scrapes of its own endpoint on a port chosen at listen (prometheus.port 0)', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(obs.metricsServer!.url)).status, 200);
    obs.tracer.startActiveSpan('after-scrapes', (span) => span.end());
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !receiver.spans().some((span) => span.name === 'after-scrapes')) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const spans = receiver.spans();
    const path = (span: (typeof spans)[number]) => String(span.attributes['url.path'] ?? span.attributes['url.full']);
    assert.deepEqual(
      spans.filter((span) => span.kind === 2 && path(span).endsWith('/metrics')),
      [],
      'no server span for /metrics',
    );
    // The scraper's side (fetch here) is traced as any client request is.
    assert.ok(spans.filter((span) => span.kind === 3 && path(span).endsWith('/metrics')).length >= 3);
  });
});

describe('opentelemetry.resource_detectors', () => {
  const CASES: Array<{ env: Record<string, string>; names: string[] }> = [
    { env: {}, names: ['env', 'process', 'host'] },
    {
      env: { OTEL_NODE_RESOURCE_DETECTORS: 'all' },
      names: ['env', 'host', 'os', 'process', 'serviceinstance', 'container'],
    },
    { env: { OTEL_NODE_RESOURCE_DETECTORS: 'none' }, names: [] },
    { env: { OTEL_NODE_RESOURCE_DETECTORS: 'os,host,none' }, names: [] },
    { env: { OTEL_NODE_RESOURCE_DETECTORS: 'os, serviceinstance' }, names: ['os', 'serviceinstance'] },
    { env: { GREY_OTEL_RESOURCE_DETECTORS: 'container' }, names: ['container'] },
  ];
  for (const { env, names } of CASES) {
    it(`reads ${JSON.stringify(env)}`, () => {
      const { config, warnings } = loadConfig({ env, cwd: '/' });
      assert.deepEqual(expandDetectorNames(config.opentelemetry.resource_detectors), names);
      assert.deepEqual(warnings, []);
    });
  }

  it('warns about an unknown detector (aws) and uses the known ones', () => {
    const { config, warnings } = loadConfig({ env: { OTEL_NODE_RESOURCE_DETECTORS: 'aws,os' }, cwd: '/' });
    assert.deepEqual(config.opentelemetry.resource_detectors, ['os']);
    assert.equal(warnings[0]?.variable, 'OTEL_NODE_RESOURCE_DETECTORS');
  });

  it('detects what each detector gives, and nothing of what is off', async () => {
    const detect = async (env: Record<string, string>) =>
      (await detectResource(loadConfig({ env, cwd: '/' }).config)).attributes;
    const defaults = await detect({});
    assert.equal(defaults['process.runtime.name'], 'nodejs');
    assert.equal(typeof defaults['host.name'], 'string');
    assert.equal(defaults['os.type'], undefined);
    const os = await detect({ OTEL_NODE_RESOURCE_DETECTORS: 'os' });
    assert.equal(os['os.type'], 'linux');
    assert.equal(os['host.name'], undefined);
    const none = await detect({ OTEL_NODE_RESOURCE_DETECTORS: 'none' });
    assert.equal(none['process.pid'], undefined);
    assert.equal(none['service.name'], 'grey-service');
    const instance = await detect({ OTEL_NODE_RESOURCE_DETECTORS: 'serviceinstance' });
    assert.match(String(instance['service.instance.id']), /^[0-9a-f-]{36}$/);
    const configured = await detect({
      OTEL_NODE_RESOURCE_DETECTORS: 'serviceinstance',
      GREY_SERVICE_INSTANCE_ID: 'pod-7',
    });
    assert.equal(configured['service.instance.id'], 'pod-7');
  });
});
