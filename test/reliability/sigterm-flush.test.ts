/**
 * Issue 13 (b): a service that calls shutdown() from its own SIGTERM handler loses nothing: every
 * span finished and every log line written before the signal reaches the collector (the loopback
 * receiver) and the log file, for both OTLP protocols.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startChildService } from './support/child-service.js';

const CALLS = 500;
const SHUTDOWN_TIMEOUT_MS = 5_000;

describe('shutdown() from the service SIGTERM handler', () => {
  let dir: TempDir;
  before(() => {
    dir = createTempDir('grey-sigterm-');
  });
  after(() => dir.remove());

  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`delivers every span and log line written before the signal (${protocol})`, async () => {
      const receiver: OtlpReceiver = protocol === 'grpc' ? await startGrpcReceiver() : await startHttpReceiver();
      const logFile = join(dir.path, `${protocol.replace('/', '-')}.log`);
      try {
        const { service } = await startChildService('sigterm-service.js', {
          env: {
            PATH: process.env.PATH,
            FIXTURE_PROTOCOL: protocol,
            FIXTURE_ENDPOINT: receiver.url,
            FIXTURE_LOG_FILE: logFile,
            FIXTURE_CALLS: String(CALLS),
          },
          lifetimeMs: 60_000,
        });
        assert.equal(receiver.spans().length, 0, 'nothing was exported before the signal');
        service.child.kill('SIGTERM');
        const exit = await service.exited(SHUTDOWN_TIMEOUT_MS + 5_000);
        assert.equal(exit.code, 0, service.output());
        const { shutdownMs } = JSON.parse(service.output().trim().split('\n').at(-1) as string) as {
          shutdownMs: number;
        };
        assert.ok(shutdownMs <= SHUTDOWN_TIMEOUT_MS, `shutdown took ${shutdownMs} ms`);

        const calls = receiver
          .spans()
          .filter((s) => s.name === 'grey.task.run')
          .map((s) => s.attributes['fixture.call'] as number);
        assert.equal(new Set(calls).size, CALLS, 'every span finished before the signal was exported');

        const lines = readFileSync(logFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        const done = new Set(lines.filter((l) => l.msg === 'call done').map((l) => l.call));
        assert.equal(done.size, CALLS, 'every log line written before the signal is in the file');
        assert.ok(lines.some((l) => l.msg === 'last line before the signal'));
      } finally {
        await receiver.close();
      }
    });
  }
});
