import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { createTempDir } from './support/temp-dir.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const registerUrl = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'register.js')).href;

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
});
