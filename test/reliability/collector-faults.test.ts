/**
 * Issue 13 (a): the collector fails while the service runs about 1,000 @Task calls a second, for
 * both OTLP protocols at once: down (connection refused) -> hanging (accepts, never answers) ->
 * slow (answers after 2 s) -> answering 5xx -> healthy again. Issue 18 (item 9): a collector down
 * for 30 s, then up: export resumes within seconds, whatever the protocol. The service runs in a
 * child process (fixtures/collector-faults-service.ts) so its heap and its exit are its own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startChildService } from './support/child-service.js';

/** Bounds this test proves (docs/reliability.md). */
const PHASE_MS = 4_000;
const MAX_HEAP_GROWTH = 16 * 1024 * 1024;
const SHUTDOWN_TIMEOUT_MS = 2_000;
const SHUTDOWN_SLACK_MS = 300;
const RESUME_WITHIN_MS = 15_000;
const EXIT_AFTER_SHUTDOWN_MS = 2_000;

interface StopReport {
  calls: number;
  callsByPhase: Record<string, number>;
  failures: number;
  heapByPhase: Record<string, number>;
  metrics: string;
  shutdownMs: number;
}

function sample(metrics: string, name: string, labels = ''): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}${labels} `) || l.startsWith(`${name}${labels}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function sum(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('collector faults under load', { concurrency: true }, () => {
  let dir: TempDir;
  before(() => {
    dir = createTempDir('grey-faults-');
  });
  after(() => dir.remove());

  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`keeps the service whole through down, hanging, slow and 5xx collectors, then resumes (${protocol})`, async () => {
      const receiver: OtlpReceiver = protocol === 'grpc' ? await startGrpcReceiver() : await startHttpReceiver();
      const logFile = join(dir.path, `${protocol.replace('/', '-')}.log`);
      const { service, ready } = await startChildService('collector-faults-service.js', {
        env: {
          PATH: process.env.PATH,
          FIXTURE_PROTOCOL: protocol,
          FIXTURE_ENDPOINT: receiver.url,
          FIXTURE_LOG_FILE: logFile,
        },
        execArgv: ['--expose-gc'],
        lifetimeMs: 120_000,
      });
      try {
        const phase = (name: string) => service.call('phase', { name });
        await sleep(2_000); // warm-up against a healthy collector
        await phase('healthy');
        await sleep(PHASE_MS);

        await phase('down');
        await receiver.down();
        await sleep(PHASE_MS);
        await receiver.up();

        await phase('hanging');
        receiver.setMode({ kind: 'hang' });
        await sleep(PHASE_MS);

        await phase('slow');
        receiver.setMode({ kind: 'delay', ms: 2_000 });
        await sleep(PHASE_MS);

        await phase('5xx');
        receiver.setMode({ kind: 'fail' });
        await sleep(PHASE_MS);

        await phase('recovered');
        receiver.setMode({ kind: 'ok' });
        const deadline = performance.now() + RESUME_WITHIN_MS;
        const recovered = () => receiver.spans().filter((s) => s.attributes['fixture.phase'] === 'recovered').length;
        while (recovered() < 1_000 && performance.now() < deadline) await sleep(100);
        assert.ok(recovered() >= 1_000, `export resumed: ${recovered()} spans of the recovered phase arrived`);

        const report = await service.call<StopReport>('stop', {}, 30_000);
        const exit = await service.exited(EXIT_AFTER_SHUTDOWN_MS);
        assert.equal(exit.code, 0, service.output());

        assert.equal(report.failures, 0, 'every task call succeeded with its own result');
        assert.ok(report.calls >= 15_000, `${report.calls} calls`);
        const base = report.heapByPhase.healthy as number;
        const growth = Math.max(...Object.values(report.heapByPhase)) - base;
        assert.ok(growth < MAX_HEAP_GROWTH, `heap grew by ${(growth / 1048576).toFixed(1)} MB`);
        assert.ok(
          report.shutdownMs <= SHUTDOWN_TIMEOUT_MS + SHUTDOWN_SLACK_MS,
          `shutdown took ${report.shutdownMs} ms`,
        );

        const failed = sum(report.metrics, 'grey_observability_spans_failed_total');
        const dropped = sample(report.metrics, 'grey_observability_spans_dropped_total', '{reason="queue_full"}');
        const exported = sample(report.metrics, 'grey_observability_spans_exported_total');
        assert.ok(failed > 0, 'failed exports are counted on /metrics');
        assert.ok(dropped > 0, 'spans dropped on a full queue are counted on /metrics');
        assert.ok(exported > 0, 'exported spans are counted on /metrics');

        const all = readFileSync(logFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { code?: string; export_failed_by_reason?: unknown })
          .filter((l) => typeof l.code === 'string' && l.code.startsWith('OBS_WARN_'));
        // shutdown() ends with one summary line of the losses; the warnings while running come apart from it.
        const summaries = all.filter((l) => l.export_failed_by_reason !== undefined);
        assert.equal(summaries.length, 1, 'one loss summary at shutdown');
        const warnings = all.filter((l) => l.export_failed_by_reason === undefined);
        const byCode = new Map<string, number>();
        for (const w of warnings) byCode.set(w.code as string, (byCode.get(w.code as string) ?? 0) + 1);
        assert.equal(byCode.get('OBS_WARN_EXPORT_FAILED'), 1, JSON.stringify([...byCode]));
        for (const [code, count] of byCode)
          assert.ok(
            count <= 1,
            `${code} logged ${count} times: ${JSON.stringify(warnings.filter((w) => w.code === code))}`,
          );

        const heapMb = Object.fromEntries(
          Object.entries(report.heapByPhase).map(([k, v]) => [k, ((v - base) / 1048576).toFixed(1)]),
        );
        console.log(
          `# ${protocol}: ${report.calls} calls, 0 failed; heap vs healthy (MB) ${JSON.stringify(heapMb)}; ` +
            `failed ${failed}, dropped ${dropped}, exported ${exported}; shutdown ${report.shutdownMs.toFixed(0)} ms; ` +
            `exit ${exit.afterMs.toFixed(0)} ms after; ${ready.heapUsed}`,
        );
      } finally {
        service.kill();
        await receiver.close();
      }
    });
  }
});

/** The outage of issue 18, item 9 (there: 60 s and 120 s, after which gRPC stayed dead 25 s and 53 s). */
const OUTAGE_MS = 30_000;
/** Watchdog for the first export after the collector is back (a hang, not a bound on the service). */
const RESUME_WATCHDOG_MS = 15_000;
/**
 * Spans made after the collector came back that may be lost: 2 s of them at 1,000 a second (the
 * queue is full of the outage's spans until the first export gets through). Measured: 0; with
 * grpc-js's own reconnect backoff (up to 120 s) the same run lost 3,360 (first export after 7.7 s).
 */
const MAX_LOST_AFTER_UP = 2_000;

describe('a collector down for 30 s, then up', { concurrency: true }, () => {
  let dir: TempDir;
  before(() => {
    dir = createTempDir('grey-outage-');
  });
  after(() => dir.remove());

  for (const protocol of ['grpc', 'http/protobuf'] as const) {
    it(`export resumes within seconds of the collector coming back (${protocol})`, async () => {
      const receiver: OtlpReceiver = protocol === 'grpc' ? await startGrpcReceiver() : await startHttpReceiver();
      const { service } = await startChildService('collector-faults-service.js', {
        env: {
          PATH: process.env.PATH,
          FIXTURE_PROTOCOL: protocol,
          FIXTURE_ENDPOINT: receiver.url,
          FIXTURE_LOG_FILE: join(dir.path, `outage-${protocol.replace('/', '-')}.log`),
        },
        execArgv: ['--expose-gc'],
        lifetimeMs: 120_000,
      });
      try {
        const phase = (name: string) => service.call('phase', { name });
        await phase('healthy');
        await sleep(2_000);
        await phase('down');
        await receiver.down();
        await sleep(OUTAGE_MS);
        await receiver.up();
        const upAt = performance.now();
        await phase('back');

        const received = (name: string) =>
          receiver.spans().filter((s) => s.attributes['fixture.phase'] === name).length;
        const watchdog = upAt + RESUME_WATCHDOG_MS;
        while (received('back') === 0 && performance.now() < watchdog) await sleep(50);
        assert.ok(
          received('back') > 0,
          `no span made after the collector came back arrived within ${RESUME_WATCHDOG_MS} ms`,
        );
        const firstAfterUp = receiver.requests.find((r) => r.receivedAt >= upAt);
        const resumeMs = (firstAfterUp?.receivedAt ?? Number.NaN) - upAt;

        await phase('after');
        await sleep(3_000);
        const report = await service.call<StopReport>('stop', {}, 30_000);
        assert.equal(report.failures, 0, 'every task call succeeded with its own result');
        const made = report.callsByPhase;
        const lostBack = (made.back ?? 0) - received('back');
        const lostAfter = (made.after ?? 0) - received('after');
        assert.ok(
          lostBack + lostAfter <= MAX_LOST_AFTER_UP,
          `${lostBack + lostAfter} spans made after the collector came back were lost (back: ${made.back}, after: ${made.after})`,
        );
        assert.ok(received('after') > 0, 'spans of the last phase arrived');
        console.log(
          `# ${protocol}: down ${OUTAGE_MS / 1000} s; first export ${resumeMs.toFixed(0)} ms after the collector came back; ` +
            `lost after up: back ${lostBack} of ${made.back}, after ${lostAfter} of ${made.after}; ` +
            `down-phase spans ${made.down}, received ${received('down')}`,
        );
      } finally {
        service.kill();
        await receiver.close();
      }
    });
  }
});
