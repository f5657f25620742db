import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startHttpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { createTempDir, type TempDir } from './support/temp-dir.js';

// Issue 10: under `--import @grey/observability/register` the service lives and dies as it would
// without the package. Each case runs test/fixtures/lifecycle/app.ts in a child process, with and
// without the package, and compares how it ended; the spans finished before the end must reach
// the collector.

const here = dirname(fileURLToPath(import.meta.url));
const registerUrl = pathToFileURL(join(here, '..', 'src', 'register.js')).href;
const app = join(here, 'fixtures', 'lifecycle', 'app.js');

function writeConfig(dir: TempDir, receiver: OtlpReceiver): string {
  return dir.write(
    'observability.yaml',
    [
      'service:',
      '  name: register-lifecycle',
      'prometheus:',
      '  host: 127.0.0.1',
      '  port: 0',
      'logging:',
      '  level: silent',
      'shutdown_timeout_ms: 5000',
      'opentelemetry:',
      '  batch:',
      '    scheduled_delay_ms: 60000',
      '  exporter:',
      '    protocol: http/protobuf',
      `    endpoint: ${receiver.url}`,
      '  sampling:',
      '    strategy: always_on',
      '',
    ].join('\n'),
  );
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs the fixture in `mode`; sends `signal` once it printed `ready` (when given). */
function runApp(withPackage: boolean, env: Record<string, string>, signal?: NodeJS.Signals): Promise<Ended> {
  const args = withPackage ? ['--import', registerUrl, app] : [app];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (signal !== undefined && stdout.includes('ready\n') && !stdout.includes('[signalled]')) {
        stdout += '[signalled]';
        child.kill(signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => {
      clearTimeout(watchdog);
      if (exitSignal === 'SIGKILL') reject(new Error(`the child never ended; stderr: ${stderr}`));
      else resolve({ code, signal: exitSignal, stdout: stdout.replace('[signalled]', '') });
    });
  });
}

describe('register and the life of the service', () => {
  it('lets a job that closed its server end on its own, and flushes its spans first', async () => {
    const receiver = await startHttpReceiver();
    const dir = createTempDir();
    try {
      const env = { GREY_LIFECYCLE_FIXTURE: 'job', GREY_OBSERVABILITY_CONFIG: writeConfig(dir, receiver) };
      const ended = await runApp(true, env);
      assert.equal(ended.code, 0);
      assert.equal(ended.stdout, 'job done, handle live\n');
      // The batch delay is a minute: only the flush at 'beforeExit' can have sent them.
      const spans = receiver.spans();
      assert.ok(
        spans.some((span) => span.kind === 2) && spans.some((span) => span.kind === 3),
        'server and client spans',
      );
    } finally {
      dir.remove();
      await receiver.close();
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`ends by ${signal} as without the package, after exporting the finished spans`, async () => {
      const receiver = await startHttpReceiver();
      const dir = createTempDir();
      try {
        const env = { GREY_LIFECYCLE_FIXTURE: 'serve', GREY_OBSERVABILITY_CONFIG: writeConfig(dir, receiver) };
        const [without, withPackage] = await Promise.all([runApp(false, env, signal), runApp(true, env, signal)]);
        assert.deepEqual({ code: without.code, signal: without.signal }, { code: null, signal });
        assert.deepEqual({ code: withPackage.code, signal: withPackage.signal }, { code: null, signal });
        assert.equal(receiver.spans().length, 2, 'the server and client spans were exported before the end');
      } finally {
        dir.remove();
        await receiver.close();
      }
    });

    it(`leaves ${signal} to the service's own listener, and flushes when the loop empties`, async () => {
      const receiver = await startHttpReceiver();
      const dir = createTempDir();
      try {
        const env = {
          GREY_LIFECYCLE_FIXTURE: 'serve',
          GREY_LIFECYCLE_OWN_HANDLER: '1',
          GREY_OBSERVABILITY_CONFIG: writeConfig(dir, receiver),
        };
        const [without, withPackage] = await Promise.all([runApp(false, env, signal), runApp(true, env, signal)]);
        assert.deepEqual({ code: without.code, signal: without.signal }, { code: 0, signal: null });
        assert.deepEqual({ code: withPackage.code, signal: withPackage.signal }, { code: 0, signal: null });
        assert.equal(withPackage.stdout, `ready\nown handler: ${signal}\n`);
        assert.equal(receiver.spans().length, 2);
      } finally {
        dir.remove();
        await receiver.close();
      }
    });
  }

  it('writes out its own warnings before a signal ends the service (export to a refused port)', async () => {
    const dir = createTempDir();
    try {
      const config = dir.write(
        'observability.yaml',
        [
          'prometheus: { host: 127.0.0.1, port: 0 }',
          'logging: { level: warn }',
          'shutdown_timeout_ms: 1000',
          'opentelemetry:',
          '  exporter: { protocol: http/protobuf, endpoint: "http://127.0.0.1:9" }',
          '  sampling: { strategy: always_on }',
          '',
        ].join('\n'),
      );
      const env = { GREY_LIFECYCLE_FIXTURE: 'serve', GREY_OBSERVABILITY_CONFIG: config };
      const ended = await runApp(true, env, 'SIGTERM');
      assert.deepEqual({ code: ended.code, signal: ended.signal }, { code: null, signal: 'SIGTERM' });
      // Written during the flush, just before the signal is raised again: pino's buffer goes first.
      assert.match(ended.stdout, /"code":"OBS_WARN_EXPORT_FAILED"/);
    } finally {
      dir.remove();
    }
  });

  it('never calls process.exit', async () => {
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile('grep', ['-rn', 'process.exit', join(here, '..', 'src')], (error, out) =>
        error !== null && (error as { code?: number }).code !== 1 ? reject(error) : resolve({ stdout: out }),
      ),
    );
    const calls = stdout.split('\n').filter((line) => /process\.exit\(/.test(line) && !line.includes('.d.ts'));
    assert.deepEqual(calls, []);
  });
});
