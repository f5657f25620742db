import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { portFix } from '../../src/cli/doctor-metrics.js';
import { freePort } from '../support/prometheus.js';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SECRET = 'doctor-secret-token-7f3a';

/** Runs `grey-observability doctor <file>` without blocking this process (the receivers live here). */
function doctor(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'doctor', file],
      { env: { PATH: process.env.PATH, OTEL_TOKEN: SECRET, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }),
    );
  });
}

/** `promtool check config <file>`: exit code and output. */
function promtoolCheckConfig(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', ['check', 'config', file], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? -1), output: stdout + stderr }),
    );
  });
}

let dir: TempDir;
before(() => {
  dir = createTempDir();
});
after(() => dir.remove());

interface ConfigShape {
  protocol: 'grpc' | 'http/protobuf';
  endpoint: string;
  metricsPort: number;
  timeoutMs?: number;
}

function writeConfig(name: string, shape: ConfigShape): string {
  return dir.write(
    `${name}.yaml`,
    [
      'service:',
      '  name: doctor-test',
      'prometheus:',
      '  host: 127.0.0.1',
      `  port: ${shape.metricsPort}`,
      'opentelemetry:',
      '  exporter:',
      `    protocol: ${shape.protocol}`,
      `    endpoint: ${shape.endpoint}`,
      `    timeout_ms: ${shape.timeoutMs ?? 5000}`,
      '    headers:',
      '      Authorization: "Bearer ${OTEL_TOKEN}"',
      '',
    ].join('\n'),
  );
}

function assertNoSecret(output: { stdout: string; stderr: string }): void {
  assert.ok(
    !output.stdout.includes(SECRET) && !output.stderr.includes(SECRET),
    'the header value must never be printed',
  );
}

describe('grey-observability doctor', () => {
  for (const protocol of ['grpc', 'http/protobuf'] as const) {
    it(`sends one test span with the configured headers and reports healthy (${protocol})`, async () => {
      const receiver: OtlpReceiver = protocol === 'grpc' ? await startGrpcReceiver() : await startHttpReceiver();
      try {
        const file = writeConfig(`ok-${protocol.replace('/', '-')}`, {
          protocol,
          endpoint: receiver.url,
          metricsPort: await freePort(),
        });
        const result = await doctor(file);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(
          result.stdout,
          /^ok +collector at .*: accepted a test span \(grey\.doctor\.test_span\) in \d+ ms$/m,
        );
        assert.match(result.stdout, /^ok +metrics port \d+ on 127\.0\.0\.1: free$/m);
        assert.match(result.stdout, /^healthy$/m);
        const spans = receiver.spans();
        assert.equal(spans.length, 1);
        assert.equal(spans[0]?.name, 'grey.doctor.test_span');
        assert.equal(spans[0]?.resource['service.name'], 'doctor-test');
        assert.equal(receiver.requests[0]?.headers.authorization, `Bearer ${SECRET}`);
        assertNoSecret(result);
      } finally {
        await receiver.close();
      }
    });
  }

  it('says nothing listens when the collector port refuses connections, and exits 1', async () => {
    const port = await freePort();
    const file = writeConfig('refused', {
      protocol: 'grpc',
      endpoint: `http://127.0.0.1:${port}`,
      metricsPort: await freePort(),
    });
    const result = await doctor(file);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(`^FAIL collector .*: connection refused: nothing listens on 127\\.0\\.0\\.1:${port}$`, 'm'),
    );
    assert.match(result.stdout, /^ +fix: start the collector/m);
    assert.match(result.stdout, /^1 problem found$/m);
    assertNoSecret(result);
  });

  it('says a gRPC exporter points at an HTTP/1.1 port instead of "Protocol error"', async () => {
    const receiver = await startHttpReceiver();
    try {
      const origin = new URL(receiver.url).origin;
      const file = writeConfig('grpc-on-http', { protocol: 'grpc', endpoint: origin, metricsPort: await freePort() });
      const result = await doctor(file);
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        /^FAIL collector .*\(grpc\): the endpoint answers plain HTTP\/1\.1, not gRPC: it looks like an OTLP\/HTTP port/m,
      );
      assert.match(result.stdout, /fix: set protocol http\/protobuf/);
      assert.equal(receiver.spans().length, 0);
      assertNoSecret(result);
    } finally {
      await receiver.close();
    }
  });

  it('says an http/protobuf exporter points at a gRPC port', async () => {
    const receiver = await startGrpcReceiver();
    try {
      const file = writeConfig('http-on-grpc', {
        protocol: 'http/protobuf',
        endpoint: receiver.url,
        metricsPort: await freePort(),
      });
      const result = await doctor(file);
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        /^FAIL collector .*\(http\/protobuf\): the endpoint speaks HTTP\/2 only: it looks like an OTLP gRPC port/m,
      );
      assert.match(result.stdout, /fix: set protocol grpc/);
      assertNoSecret(result);
    } finally {
      await receiver.close();
    }
  });

  it('names the credentials, not their values, when the collector answers 401', async () => {
    const server: Server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(401).end('unauthorized'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const file = writeConfig('unauthorized', {
        protocol: 'http/protobuf',
        endpoint: `http://127.0.0.1:${port}`,
        metricsPort: await freePort(),
      });
      const result = await doctor(file);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /^FAIL collector .*: the collector refused the credentials \(HTTP 401\)$/m);
      assert.match(
        result.stdout,
        /fix: check the values of opentelemetry\.exporter\.headers \(Authorization; values are never printed\)/,
      );
      assertNoSecret(result);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('warns when the protocol and the well-known port disagree (grpc on 4318)', async () => {
    const file = writeConfig('mismatch', {
      protocol: 'grpc',
      endpoint: 'http://127.0.0.1:4318',
      metricsPort: await freePort(),
      timeoutMs: 1000,
    });
    const result = await doctor(file);
    assert.match(
      result.stdout,
      /^WARN exporter protocol and endpoint port: protocol grpc is configured, but port 4318 of http:\/\/127\.0\.0\.1:4318 is the usual http\/protobuf port$/m,
    );
    assert.match(result.stdout, /fix: use protocol http\/protobuf/);
  });

  it('never suggests the busy port itself as the other port', () => {
    assert.match(portFix(9464), /GREY_PROMETHEUS_PORT=9465\b/);
    assert.match(portFix(9090), /GREY_PROMETHEUS_PORT=9464\b/);
  });

  it('says the metrics port is in use and how to change it, and exits 1', async () => {
    const busy = createTcpServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const receiver = await startHttpReceiver();
    try {
      const { port } = busy.address() as AddressInfo;
      const file = writeConfig('busy', { protocol: 'http/protobuf', endpoint: receiver.url, metricsPort: port });
      const result = await doctor(file);
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        new RegExp(`^FAIL metrics port ${port} on 127\\.0\\.0\\.1: in use by another process`, 'm'),
      );
      assert.match(result.stdout, /fix: pick another port with prometheus\.port in the file or GREY_PROMETHEUS_PORT/);
      assert.match(result.stdout, /^ok +collector/m, 'the other checks still run');
    } finally {
      await receiver.close();
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('prints a scrape config that promtool accepts, with the port and path of the config', async () => {
    const port = await freePort();
    const file = dir.write(
      'scrape.yaml',
      [
        'service:',
        '  name: billing-api',
        'prometheus:',
        '  host: 127.0.0.1',
        `  port: ${port}`,
        '  path: /internal/metrics',
        '  auth:',
        '    type: bearer',
        '    token: ${OTEL_TOKEN}',
        'opentelemetry:',
        '  enabled: false',
        '',
      ].join('\n'),
    );
    const result = await doctor(file);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^skip collector: opentelemetry\.enabled is false: tracing is off \(metrics-only\), no spans are exported and GreyObservabilitySpansLost stays quiet$/m,
    );
    const snippet = result.stdout.slice(
      result.stdout.indexOf('scrape_configs:'),
      result.stdout.indexOf('\n\n# Kubernetes'),
    );
    assert.match(snippet, new RegExp(`targets: \\["127\\.0\\.0\\.1:${port}"\\]`));
    assert.match(snippet, /metrics_path: "\/internal\/metrics"/);
    assert.match(result.stdout, new RegExp(`prometheus\\.io/port: "${port}"`));
    // The kit's job and credential file (relative to prometheus.yml), so the kit's dashboards agree.
    assert.match(snippet, /job_name: "grey-cluster"/);
    assert.match(snippet, /scrape_timeout: 10s/);
    mkdirSync(join(dir.path, 'secrets', 'grey-metrics'), { recursive: true });
    dir.write('secrets/grey-metrics/token', 'x');
    const promConfig = dir.write('prometheus.yml', snippet);
    const check = await promtoolCheckConfig(promConfig);
    assert.equal(check.code, 0, check.output);
    assertNoSecret(result);
  });

  it('reports an invalid config on stderr and exits 1', async () => {
    const file = dir.write('bad.yaml', 'prometheus:\n  port: not-a-port\n');
    const result = await doctor(file);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^FAIL config: /);
  });
});
