/**
 * Issue 20: examples/express-postgres as its README runs it (`node --import
 * @grey/observability/register`, static ESM imports of express and pg) against a real PostgreSQL
 * (Debian's postgresql on a free loopback port), scraped by a real Prometheus, its spans received
 * by the loopback OTLP receiver.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/node-versions.js';
import { startHttpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { startPostgres, type Postgres } from '../support/postgres.js';
import { startPrometheus, type PromSample, type RunningPrometheus } from '../support/prometheus.js';
import { startExample, type RunningExample } from './support/run-example.js';

const SERVICE = join(REPO_ROOT, 'dist', 'examples', 'express-postgres', 'service.js');
const COMMONJS_SERVICE = join(REPO_ROOT, 'dist', 'test', 'examples', 'fixtures', 'express-postgres-commonjs.cjs');
const CONFIG = join(REPO_ROOT, 'examples', 'express-postgres', 'observability.yaml');

function valueOf(samples: PromSample[]): number {
  return samples.length === 1 ? Number(samples[0]!.value[1]) : Number.NaN;
}

describe('examples/express-postgres on a real PostgreSQL, scraped by a real Prometheus', () => {
  let postgres: Postgres;
  let receiver: OtlpReceiver;
  let example: RunningExample;
  let prometheus: RunningPrometheus;
  let api: string;
  let exitCode: number | null | undefined;
  let spans: ReceivedSpan[] = [];

  before(async () => {
    postgres = await startPostgres();
    receiver = await startHttpReceiver();
    example = startExample(
      ['--import', '@grey/observability/register', SERVICE],
      {
        DATABASE_URL: postgres.url,
        GREY_OBSERVABILITY_CONFIG: CONFIG,
        GREY_PROMETHEUS_PORT: '0',
        PORT: '0',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      REPO_ROOT,
    );
    const ready = await example.waitForLine('express-postgres ready', 60_000);
    api = ready.api as string;
    prometheus = await startPrometheus({ address: new URL(ready.metrics as string).host });

    const created: number[] = [];
    for (const name of ['resize', 'encode', 'publish']) {
      const response = await fetch(`${api}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': 'acme' },
        body: JSON.stringify({ name }),
      });
      assert.equal(response.status, 201);
      created.push(((await response.json()) as { id: number }).id);
    }
    assert.deepEqual(await (await fetch(`${api}/tasks/${created[1]}`)).json(), {
      id: created[1],
      tenant: 'acme',
      name: 'encode',
    });
    const listed = (await (await fetch(`${api}/tasks`, { headers: { 'x-tenant-id': 'acme' } })).json()) as unknown[];
    assert.equal(listed.length, 3);
    for (let i = 0; i < 3; i++) assert.equal(await (await fetch(`${api}/healthz`)).text(), 'ok');
  });

  after(async () => {
    await prometheus?.stop();
    if (exitCode === undefined) await example?.stop();
    await receiver?.close();
    postgres?.stop();
  });

  it("records the spec's database catalog from the real pool, as Prometheus reads it", async () => {
    // CREATE TABLE and three INSERTs are writes; the two SELECTs reads.
    const writes = await prometheus.waitFor(
      'grey_db_query_duration_seconds_count{backend="postgres",operation="write"}',
      (samples) => valueOf(samples) === 4,
      30_000,
    );
    assert.equal(valueOf(writes), 4, JSON.stringify(writes));
    const reads = await prometheus.waitFor(
      'grey_db_query_duration_seconds_count{backend="postgres",operation="read"}',
      (samples) => valueOf(samples) === 2,
    );
    assert.equal(valueOf(reads), 2, JSON.stringify(reads));
    const idle = await prometheus.waitFor(
      'grey_db_connections_idle{backend="postgres",shard="0"}',
      (samples) => valueOf(samples) >= 1,
    );
    assert.ok(valueOf(idle) >= 1, JSON.stringify(idle));
    // Every query returned its client: none in use once the requests are answered.
    const active = await prometheus.waitFor(
      'grey_db_connections_active{backend="postgres",shard="0"}',
      (samples) => valueOf(samples) === 0,
    );
    assert.equal(valueOf(active), 0, JSON.stringify(active));
    const sum = await prometheus.query('grey_db_query_duration_seconds_sum{backend="postgres"}');
    assert.ok(
      sum.every((sample) => Number(sample.value[1]) > 0),
      JSON.stringify(sum),
    );
  });

  it('exports express and pg spans from static ESM imports under --import register, and none for /healthz', async () => {
    const deadline = Date.now() + 30_000;
    const pgSpans = (): ReceivedSpan[] => receiver.spans().filter((span) => span.scope.includes('instrumentation-pg'));
    while (Date.now() < deadline && pgSpans().filter((span) => span.kind === 3).length < 6) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    spans = receiver.spans();
    const queries = pgSpans().filter((span) => span.kind === 3);
    assert.ok(queries.length >= 6, JSON.stringify(spans.map((span) => [span.name, span.scope])));
    for (const query of queries) {
      assert.equal(query.attributes['db.system'] ?? query.attributes['db.system.name'], 'postgresql');
    }
    const routes = spans
      .filter((span) => span.scope.includes('instrumentation-express'))
      .map((span) => span.attributes['http.route']);
    assert.ok(routes.includes('/tasks/:id'), JSON.stringify(routes));
    const servers = spans.filter((span) => span.kind === 2);
    assert.equal(servers.length, 5, JSON.stringify(servers.map((span) => span.attributes['url.path'])));
    assert.ok(servers.every((span) => span.attributes['url.path'] !== '/healthz'));
    // The query of GET /tasks/:id is in the trace of its request.
    const byId = servers.find((span) => String(span.attributes['url.path']).startsWith('/tasks/'));
    assert.ok(queries.some((query) => query.traceId === byId?.traceId && query.name.includes('SELECT')));
    // Resource detection: the platform's identity on every span.
    assert.equal(byId?.resource['process.runtime.name'], 'nodejs');
    assert.equal(byId?.resource['service.name'], 'express-postgres');
  });

  it('traces express and pg in a CommonJS service under --import register too', async () => {
    const commonjs = startExample(
      ['--import', '@grey/observability/register', COMMONJS_SERVICE],
      {
        DATABASE_URL: postgres.url,
        GREY_OBSERVABILITY_CONFIG: CONFIG,
        GREY_PROMETHEUS_PORT: '0',
        OTEL_SERVICE_NAME: 'express-postgres-commonjs',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      REPO_ROOT,
    );
    try {
      const ready = await commonjs.waitForLine('commonjs ready', 60_000);
      assert.deepEqual(await (await fetch(`${ready.api as string}/cjs`)).json(), { answer: 42 });
      const ours = (): ReceivedSpan[] =>
        receiver.spans().filter((span) => span.resource['service.name'] === 'express-postgres-commonjs');
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !ours().some((span) => span.scope.includes('instrumentation-pg'))) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const scopes = new Set(ours().map((span) => span.scope));
      assert.ok(scopes.has('@opentelemetry/instrumentation-pg'), JSON.stringify([...scopes]));
      assert.ok(scopes.has('@opentelemetry/instrumentation-express'), JSON.stringify([...scopes]));
      assert.ok(ours().some((span) => span.attributes['http.route'] === '/cjs'));
    } finally {
      assert.equal(await commonjs.stop(), 0, commonjs.stderr());
    }
  });

  it('stops on SIGTERM with its own handler: pool closed, telemetry flushed, exit code 0', async () => {
    exitCode = await example.stop();
    assert.equal(exitCode, 0, example.stderr());
    assert.equal(example.child.signalCode, null);
  });
});
