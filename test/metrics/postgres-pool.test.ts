/**
 * Issue 20: observePostgresPool() against a real PostgreSQL (Debian's postgresql on a free
 * loopback port) and a real `pg` Pool: the spec's database catalog, and the service's queries
 * unchanged (results, errors, unhandled rejections).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { observePostgresPool, postgresOperation } from '../../src/metrics/postgres-pool.js';
import { testConfig } from '../support/config.js';
import { startPostgres, type Postgres } from '../support/postgres.js';
import { silentLogger } from './support/logger.js';

/** The value of one series (a histogram's `_count` by its sample name), from getMetricsAsJSON(). */
async function seriesValue(
  metrics: Metrics,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const json = await metrics.registry.getMetricsAsJSON();
  const family = name.replace(/_count$/, '');
  const metric = json.find((m) => m.name === name || m.name === family);
  const value = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric.name) === name &&
      Object.entries(labels).every(([key, expected]) => String(v.labels[key]) === expected),
  );
  return value?.value;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('postgresOperation', () => {
  const cases: Array<[unknown, 'read' | 'write']> = [
    ['SELECT 1', 'read'],
    ['  select * from t', 'read'],
    ['-- count them\nSELECT count(*) FROM t', 'read'],
    ['/* a hint */ SELECT 1', 'read'],
    ['SHOW server_version', 'read'],
    ['EXPLAIN SELECT 1', 'read'],
    ['VALUES (1), (2)', 'read'],
    ['TABLE tasks', 'read'],
    ['WITH recent AS (SELECT * FROM t) SELECT * FROM recent', 'read'],
    ['WITH moved AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM moved', 'write'],
    ['INSERT INTO t VALUES (1)', 'write'],
    ['update t set a = 1', 'write'],
    ['DELETE FROM t', 'write'],
    ['CREATE TABLE t (a int)', 'write'],
    ['BEGIN', 'write'],
    [{ text: 'SELECT $1::int', values: [1] }, 'read'],
    [{ text: 'INSERT INTO t VALUES ($1)' }, 'write'],
    ['', 'write'],
    [undefined, 'write'],
    [42, 'write'],
  ];
  for (const [sql, expected] of cases) {
    it(`${JSON.stringify(sql)} is a ${expected}`, () => assert.equal(postgresOperation(sql), expected));
  }
});

describe('observePostgresPool on a real PostgreSQL', () => {
  let postgres: Postgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres?.stop());

  it('times queries by operation, follows the pool, and removes its series on stop()', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const pool = new pg.Pool({ connectionString: postgres.url, max: 3 });
    try {
      const db = observePostgresPool(metrics, pool, { shard: 'eu-1' });
      const labels = { backend: 'postgres', shard: 'eu-1' };
      assert.equal(await seriesValue(metrics, 'grey_db_connections_idle', labels), 0);
      const { rows } = await db.query<{ answer: number }>('SELECT $1::int + 1 AS answer', [41]);
      assert.deepEqual(rows, [{ answer: 42 }]);
      await db.query('CREATE TEMP TABLE scratch (a int)');
      const duration = 'grey_db_query_duration_seconds_count';
      assert.equal(await seriesValue(metrics, duration, { backend: 'postgres', operation: 'read' }), 1);
      assert.equal(await seriesValue(metrics, duration, { backend: 'postgres', operation: 'write' }), 1);

      // A checked-out client is active; released, it is idle again.
      const client = await pool.connect();
      await tick();
      assert.equal(await seriesValue(metrics, 'grey_db_connections_active', labels), 1);
      client.release();
      await tick();
      assert.equal(await seriesValue(metrics, 'grey_db_connections_active', labels), 0);
      assert.equal(await seriesValue(metrics, 'grey_db_connections_idle', labels), pool.idleCount);
      assert.ok(pool.idleCount >= 1);

      // The callback form is passed through, untimed.
      await new Promise<void>((resolve, reject) => {
        pool.query('SELECT 2', (error: Error | undefined) => (error ? reject(error) : resolve()));
      });
      (db.query as (text: string, cb: (e: Error | undefined) => void) => void)('SELECT 3', () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await seriesValue(metrics, duration, { backend: 'postgres', operation: 'read' }), 1);

      db.stop();
      db.stop();
      assert.equal(await seriesValue(metrics, 'grey_db_connections_active', labels), undefined);
      assert.equal(await seriesValue(metrics, 'grey_db_connections_idle', labels), undefined);
    } finally {
      await pool.end();
    }
  });

  it("passes a failed query's error on unchanged, and times it", async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
    try {
      const db = observePostgresPool(metrics, pool);
      const plain = await pool.query('SELEC 1').catch((error: unknown) => error);
      const observed = await db.query('SELEC 1').catch((error: unknown) => error);
      assert.ok(observed instanceof pg.DatabaseError);
      assert.equal((observed as pg.DatabaseError).code, (plain as pg.DatabaseError).code);
      assert.equal((observed as pg.DatabaseError).code, '42601');
      assert.equal((observed as Error).message, (plain as Error).message);
      assert.equal(
        await seriesValue(metrics, 'grey_db_query_duration_seconds_count', { backend: 'postgres', operation: 'write' }),
        1,
      );
      db.stop();
    } finally {
      await pool.end();
    }
  });

  it('leaves a rejection nobody handles unhandled, as without the helper', () => {
    const child = fileURLToPath(new URL('./fixtures/postgres-unhandled.js', import.meta.url));
    const outcomes = ['plain', 'observed'].map((mode) =>
      spawnSync(process.execPath, [child, postgres.url, mode], { encoding: 'utf8', timeout: 60_000 }),
    );
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 1, outcome.stderr);
      assert.match(outcome.stderr, /syntax error at or near "SELEC"/);
    }
  });
});
