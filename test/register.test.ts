import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { createTempDir, type TempDir } from './support/temp-dir.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const registerUrl = pathToFileURL(join(here, '..', 'src', 'register.js')).href;
const partialApp = join(here, 'fixtures', 'register', 'partial-app.js');
const otherSdkUrl = pathToFileURL(join(here, 'fixtures', 'register', 'other-sdk.js')).href;

interface PartialRun {
  /** The /metrics answer the test got while the service ran (undefined: no endpoint). */
  scrape: { status: number; body: string } | undefined;
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Runs test/fixtures/register/partial-app.ts under register (after `preImports`), scrapes the
 * /metrics URL it prints, then lets it shut down. A watchdog ends a child that never does.
 */
function runPartialApp(env: Record<string, string>, preImports: string[] = []): Promise<PartialRun> {
  const args = [...preImports.flatMap((url) => ['--import', url]), '--import', registerUrl, partialApp];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', GREY_REGISTER_FIXTURE: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let scrape: PartialRun['scrape'];
    let asked = false;
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^metrics (\S+)$/m.exec(stdout);
      if (line === null || asked) return;
      asked = true;
      const url = line[1] as string;
      const scraped =
        url === 'none'
          ? Promise.resolve(undefined)
          : fetch(url).then(async (response) => ({ status: response.status, body: await response.text() }));
      void scraped.then(
        (result) => {
          scrape = result;
          child.stdin.write('done\n');
        },
        (error: unknown) => {
          stderr += `scrape failed: ${String(error)}`;
          child.stdin.write('done\n');
        },
      );
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      if (signal === 'SIGKILL') reject(new Error(`the service never ended; stdout ${stdout}; stderr ${stderr}`));
      else resolve({ scrape, stdout, stderr, code });
    });
  });
}

/** A config file of the test: a log file at info, metrics on a free loopback port, then `extra` lines. */
function writePartialConfig(dir: TempDir, log: string, extra: string[], port = 0): string {
  return dir.write(
    'observability.yaml',
    [
      'service:',
      '  name: partial-start',
      'prometheus:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      'logging:',
      '  level: info',
      `  destination: ${JSON.stringify(log)}`,
      ...extra,
      '',
    ].join('\n'),
  );
}

function logLines(log: string): Array<Record<string, unknown>> {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('@grey/observability/register', () => {
  it('lets the service run without telemetry when observability cannot start, and says why on stderr', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: '',
      GREY_OBSERVABILITY_CONFIG: '/nonexistent/observability.yaml',
    };
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', registerUrl, '--input-type=module', '--eval', "process.stdout.write('service ran\\n')"],
      { timeout: 30_000, env },
    );
    assert.equal(stdout, 'service ran\n');
    assert.match(stderr, /@grey\/observability: observability did not start; the service runs without telemetry/);
  });

  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`traces a service it knows nothing of, from a config file with \${OTEL_TOKEN} (${protocol})`, async () => {
      const receiver: OtlpReceiver = protocol === 'grpc' ? await startGrpcReceiver() : await startHttpReceiver();
      const dir = createTempDir();
      try {
        const configFile = dir.write(
          'observability.yaml',
          [
            'service:',
            '  name: register-e2e',
            'prometheus:',
            '  host: 127.0.0.1',
            '  port: 0',
            'logging:',
            '  level: silent',
            'opentelemetry:',
            '  exporter:',
            `    protocol: ${protocol}`,
            `    endpoint: ${receiver.url}`,
            '    headers:',
            '      Authorization: "Bearer ${OTEL_TOKEN}"',
            '  sampling:',
            '    strategy: always_on',
            '',
          ].join('\n'),
        );
        const app = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'register', 'traced-app.js');
        const { stdout } = await run(process.execPath, ['--import', registerUrl, app], {
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            GREY_REGISTER_FIXTURE: '1',
            GREY_OBSERVABILITY_CONFIG: configFile,
            OTEL_TOKEN: 'e2e-token-42',
          },
        });
        assert.equal(stdout, 'app done: ok, handle live\n');
        const spans = await receiver.waitForSpans(2, 10_000);
        const server = spans.find((span) => span.kind === 2);
        const client = spans.find((span) => span.kind === 3);
        assert.ok(server && client, `a server and a client span, got ${spans.map((s) => s.name).join(', ')}`);
        assert.equal(server.traceId, client.traceId, 'the fetch propagated the trace to the server');
        assert.equal(server.parentSpanId, client.spanId);
        assert.equal(server.resource['service.name'], 'register-e2e');
        assert.ok(receiver.requests.length > 0);
        for (const request of receiver.requests) assert.equal(request.headers.authorization, 'Bearer e2e-token-42');
      } finally {
        dir.remove();
        await receiver.close();
      }
    });
  }

  it('starts and traces with OTEL_TRACES_SAMPLER=xray, with the warning in the service log', async () => {
    const receiver = await startHttpReceiver();
    const dir = createTempDir();
    try {
      const log = join(dir.path, 'service.log');
      const configFile = writePartialConfig(dir, log, [
        'opentelemetry:',
        '  exporter:',
        '    protocol: http/protobuf',
        `    endpoint: ${receiver.url}`,
        '  sampling:',
        '    strategy: always_on',
      ]);
      const ended = await runPartialApp({ GREY_OBSERVABILITY_CONFIG: configFile, OTEL_TRACES_SAMPLER: 'xray' });
      assert.match(ended.stdout, /^handle live; tracing on$/m, ended.stderr);
      assert.equal(ended.scrape?.status, 200);
      const spans = await receiver.waitForSpans(1, 10_000);
      assert.ok(spans.some((span) => span.name === 'partial-app work'));
      const warnings = logLines(log).filter((line) => line.code === 'OBS_WARN_CONFIG_ENV_IGNORED');
      assert.deepEqual(
        warnings.map((line) => [line.variable, line.value, line.key]),
        [['OTEL_TRACES_SAMPLER', 'xray', 'opentelemetry.sampling.strategy']],
      );
      assert.doesNotMatch(ended.stderr, /did not start/);
    } finally {
      dir.remove();
      await receiver.close();
    }
  });

  it('serves /metrics and logs when tracing cannot start (another SDK holds the globals), with an error line', async () => {
    const dir = createTempDir();
    try {
      const log = join(dir.path, 'service.log');
      const configFile = writePartialConfig(dir, log, []);
      const ended = await runPartialApp({ GREY_OBSERVABILITY_CONFIG: configFile }, [otherSdkUrl]);
      assert.equal(ended.code, 0, ended.stderr);
      assert.equal(ended.scrape?.status, 200);
      assert.match(ended.scrape?.body ?? '', /^# TYPE grey_tasks_submitted_total counter$/m);
      assert.match(ended.stdout, /^handle live; tracing off$/m);
      const lines = logLines(log);
      const errors = lines.filter((line) => line.level === 'error');
      assert.deepEqual(
        errors.map((line) => line.code),
        ['OBS_ERR_TRACING_START'],
      );
      assert.match(String(errors[0]?.msg), /another OpenTelemetry tracer provider is already registered/);
      assert.match(String(errors[0]?.msg), /tracing is off; the rest of observability runs/);
      assert.ok(
        lines.some((line) => line.msg === 'service line'),
        'the service logs through the handle',
      );
      assert.doesNotMatch(ended.stderr, /did not start/);
    } finally {
      dir.remove();
    }
  });

  it('serves /metrics and logs when only the opentelemetry section is invalid, naming every problem', async () => {
    const dir = createTempDir();
    try {
      const log = join(dir.path, 'service.log');
      const configFile = writePartialConfig(dir, log, [
        'opentelemetry:',
        '  exporter:',
        '    headers:',
        '      Authorization: "Bearer ${OTEL_TOKEN}"',
        '  sampling:',
        '    ratio: 7',
        '  samplr: typo',
      ]);
      const ended = await runPartialApp({ GREY_OBSERVABILITY_CONFIG: configFile, OTEL_SERVICE_NAME: 'from-env' });
      assert.equal(ended.scrape?.status, 200, ended.stderr);
      assert.match(ended.scrape?.body ?? '', /^# TYPE grey_tasks_submitted_total counter$/m);
      assert.match(ended.stdout, /^handle live; tracing off$/m);
      const lines = logLines(log);
      const errors = lines.filter((line) => line.level === 'error');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]?.code, 'OBS_ERR_CONFIG_UNKNOWN_KEY');
      for (const text of ['opentelemetry.samplr', 'OTEL_TOKEN', 'opentelemetry.sampling.ratio', 'tracing is off'])
        assert.ok(String(errors[0]?.msg).includes(text), `${text} in ${String(errors[0]?.msg)}`);
      // The rest of the config applies: the service name from the environment is on every line.
      assert.ok(lines.every((line) => line.service === 'from-env'));
    } finally {
      dir.remove();
    }
  });

  it('starts nothing when the config is invalid outside the opentelemetry section too, and says why', async () => {
    const dir = createTempDir();
    try {
      const log = join(dir.path, 'service.log');
      const configFile = writePartialConfig(dir, log, ['tenancy:', '  buckets: many', 'opentelemetry:', '  samplr: x']);
      const ended = await runPartialApp({ GREY_OBSERVABILITY_CONFIG: configFile });
      assert.match(ended.stdout, /^metrics none$/m);
      assert.match(ended.stdout, /^handle missing; tracing off$/m);
      assert.match(ended.stderr, /observability did not start; the service runs without telemetry/);
      assert.match(ended.stderr, /OBS_ERR_CONFIG_UNKNOWN_KEY/);
      assert.match(ended.stderr, /tenancy\.buckets/);
    } finally {
      dir.remove();
    }
  });

  it('keeps logs and tracing when the metrics port is taken, with an error line', async () => {
    const receiver = await startHttpReceiver();
    const dir = createTempDir();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const log = join(dir.path, 'service.log');
      const configFile = writePartialConfig(
        dir,
        log,
        [
          'opentelemetry:',
          '  exporter:',
          '    protocol: http/protobuf',
          `    endpoint: ${receiver.url}`,
          '  sampling:',
          '    strategy: always_on',
        ],
        port,
      );
      const ended = await runPartialApp({ GREY_OBSERVABILITY_CONFIG: configFile });
      assert.match(ended.stdout, /^metrics none$/m);
      assert.match(ended.stdout, /^handle live; tracing on$/m, ended.stderr);
      const spans = await receiver.waitForSpans(1, 10_000);
      assert.ok(spans.some((span) => span.name === 'partial-app work'));
      const errors = logLines(log).filter((line) => line.level === 'error');
      assert.deepEqual(
        errors.map((line) => line.code),
        ['OBS_ERR_PORT_IN_USE'],
      );
      assert.match(String(errors[0]?.msg), /the Prometheus endpoint is off/);
    } finally {
      taken.close();
      dir.remove();
      await receiver.close();
    }
  });
});
