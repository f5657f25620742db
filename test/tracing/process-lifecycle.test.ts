import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { createTempDir } from '../support/temp-dir.js';

// Issue 10: once shutdown() resolved, nothing of the package keeps the event loop alive, even
// when the collector accepted the export and never answers, or refuses the connection
// (opentelemetry-js-contrib#3349). The child prints what holds its event loop right after
// shutdown(); it must be nothing, and the child must end on its own.

const app = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'lifecycle', 'app.js');

/** Resource types that do not mean the package holds the event loop (see runShutdownChild). */
const TRANSIENT = new Set(['PipeWrap', 'SimpleShutdownWrap', 'ShutdownWrap', 'Immediate']);

interface ShutdownReport {
  resources: string[];
  health: { spans: { exported: number; failed: Record<string, number> } };
}

function config(endpoint: string, protocol = 'http/protobuf'): string[] {
  return [
    'service:',
    '  name: lifecycle',
    'prometheus:',
    '  enabled: false',
    'logging:',
    '  level: silent',
    'shutdown_timeout_ms: 1500',
    'opentelemetry:',
    '  exporter:',
    `    protocol: ${protocol}`,
    `    endpoint: ${endpoint}`,
    '    timeout_ms: 10000',
    '  sampling:',
    '    strategy: always_on',
    '',
  ];
}

function runShutdownChild(configFile: string): Promise<{ code: number | null; report: ShutdownReport }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [app],
      {
        timeout: 60_000,
        env: { PATH: process.env.PATH, GREY_LIFECYCLE_FIXTURE: 'shutdown', GREY_OBSERVABILITY_CONFIG: configFile },
      },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        if (!line.startsWith('{')) return reject(new Error(`no report; stderr: ${stderr}`));
        const report = JSON.parse(line) as ShutdownReport;
        // The three stdio pipes to this test process are the child's, not the package's; a socket
        // shutdown or an immediate still pending is a close in progress, not something held open.
        report.resources = report.resources.filter((resource) => !TRANSIENT.has(resource));
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), report });
      },
    );
  });
}

describe('tracing shutdown and the event loop', () => {
  it('leaves nothing holding the event loop when the collector accepts and never answers', async () => {
    const receiver: OtlpReceiver = await startHttpReceiver({ kind: 'hang' });
    const dir = createTempDir();
    try {
      const { code, report } = await runShutdownChild(dir.write('observability.yaml', config(receiver.url).join('\n')));
      assert.equal(code, 0);
      assert.deepEqual(report.resources, [], 'nothing of the package is left after shutdown()');
      assert.equal(report.health.spans.exported, 0);
      assert.equal(report.health.spans.failed.shutdown, 1, 'the abandoned span is counted as failed at shutdown');
    } finally {
      dir.remove();
      await receiver.close();
    }
  });

  it('leaves nothing holding the event loop when the collector refuses connections', async () => {
    const down = await startHttpReceiver({ kind: 'ok' });
    await down.close();
    const dir = createTempDir();
    try {
      const { code, report } = await runShutdownChild(dir.write('observability.yaml', config(down.url).join('\n')));
      assert.equal(code, 0);
      assert.deepEqual(report.resources, []);
      const failed = report.health.spans.failed;
      assert.equal((failed.unavailable ?? 0) + (failed.shutdown ?? 0), 1, JSON.stringify(failed));
    } finally {
      dir.remove();
    }
  });

  it('leaves nothing holding the event loop with a gRPC collector that accepts and never answers', async () => {
    const receiver: OtlpReceiver = await startGrpcReceiver({ kind: 'hang' });
    const dir = createTempDir();
    try {
      const file = dir.write('observability.yaml', config(receiver.url, 'grpc').join('\n'));
      const { code, report } = await runShutdownChild(file);
      assert.equal(code, 0);
      assert.deepEqual(report.resources, []);
    } finally {
      dir.remove();
      await receiver.close();
    }
  });
});
