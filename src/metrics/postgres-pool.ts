/**
 * The spec's database catalog (monitoring-integration.md, "Database metrics") recorded from a
 * `pg` pool: `grey_db_connections_active` / `grey_db_connections_idle{backend="postgres",shard}`
 * from the pool's own counts, and `grey_db_query_duration_seconds{backend="postgres",operation}`
 * around each query, `operation` being the spec's `read` or `write`.
 *
 * Typed structurally (no import of `pg`): any object with pg-pool's `totalCount`, `idleCount`,
 * `on`/`off` and `query` fits, so the package does not depend on `pg`.
 */
import type { Metrics } from './metrics.js';

/** The part of a `pg` Pool (pg-pool 3) this module reads. */
export interface PostgresPoolLike {
  /** Connections the pool holds, idle or checked out. */
  readonly totalCount: number;
  /** Connections the pool holds that are idle. */
  readonly idleCount: number;
  on(event: 'connect' | 'acquire' | 'release' | 'remove', listener: (...args: unknown[]) => void): unknown;
  off?(event: 'connect' | 'acquire' | 'release' | 'remove', listener: (...args: unknown[]) => void): unknown;
  removeListener?(event: 'connect' | 'acquire' | 'release' | 'remove', listener: (...args: unknown[]) => void): unknown;
  query(...args: never[]): unknown;
}

/** Options of {@link observePostgresPool}. */
export interface PostgresPoolOptions {
  /** The `shard` label of the connection gauges (default `"0"`, as the spec's sample shows). */
  shard?: string;
}

/** What {@link observePostgresPool} returns. */
export interface PostgresPoolObserver<P extends PostgresPoolLike> {
  /**
   * `pool.query` with the same arguments and result (promise form), timed into
   * `grey_db_query_duration_seconds{backend="postgres",operation}`; a failed query is timed too
   * and its rejection is passed on unchanged. The callback form (a function as last argument) is
   * passed to `pool.query` untimed.
   */
  readonly query: P['query'];
  /** Stops following the pool's events and removes this shard's connection series. Idempotent. */
  stop(): void;
}

/** The `backend` label value for PostgreSQL (spec). */
const BACKEND = 'postgres';

/** Statements that only read (first keyword); anything else counts as a write. */
const READ_KEYWORDS = new Set(['select', 'show', 'explain', 'values', 'table', 'fetch']);
const DATA_MODIFYING = /\b(insert|update|delete|merge)\b/i;
const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/**
 * The spec's `operation` of a SQL text: `read` for SELECT, SHOW, EXPLAIN, VALUES, TABLE, FETCH
 * and for WITH queries without a data-modifying part; `write` for every other statement (INSERT,
 * UPDATE, DELETE, DDL, COPY, transaction control ...) and for text that cannot be read. Leading
 * comments and whitespace are skipped. Two values only, so the label stays bounded.
 */
export function postgresOperation(sql: unknown): 'read' | 'write' {
  const text =
    typeof sql === 'string'
      ? sql
      : typeof sql === 'object' && sql !== null
        ? (sql as { text?: unknown }).text
        : undefined;
  if (typeof text !== 'string') return 'write';
  const body = text.replace(LEADING_COMMENTS, '');
  const keyword = /^[a-z]+/i.exec(body)?.[0]?.toLowerCase();
  if (keyword === undefined) return 'write';
  if (keyword === 'with') return DATA_MODIFYING.test(body) ? 'write' : 'read';
  return READ_KEYWORDS.has(keyword) ? 'read' : 'write';
}

/**
 * Records the spec's database metrics from `pool` (a `pg` Pool) into `metrics.db`:
 *
 * - `grey_db_connections_active{backend="postgres",shard}` = `totalCount - idleCount` and
 *   `grey_db_connections_idle{backend="postgres",shard}` = `idleCount`, set at once and after each
 *   `connect`, `acquire`, `release` and `remove` event of the pool (read on the next tick, once the
 *   pool has updated its counts; several events of one tick make one update);
 * - `grey_db_query_duration_seconds{backend="postgres",operation}` for each query made through the
 *   returned `query` (see {@link postgresOperation}); buckets are `prometheus.latency_buckets`, and an
 *   observation made inside a sampled span carries its exemplar.
 *
 * Queries made on `pool.query` directly, or on a checked-out client, are not timed (the gauges
 * still follow them). Never throws into the caller's queries: a failing metric is counted in
 * `grey_observability_metric_errors_total` as every helper does.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const db = observePostgresPool(obs.metrics, pool, { shard: '0' });
 * const { rows } = await db.query('SELECT id FROM tasks WHERE tenant = $1', [tenant]);
 */
export function observePostgresPool<P extends PostgresPoolLike>(
  metrics: Pick<Metrics, 'db'>,
  pool: P,
  options: PostgresPoolOptions = {},
): PostgresPoolObserver<P> {
  const labels = { backend: BACKEND, shard: options.shard ?? '0' };
  const { connectionsActive, connectionsIdle, queryDuration } = metrics.db;
  let pending = false;
  let stopped = false;
  const update = (): void => {
    pending = false;
    if (stopped) return;
    const idle = pool.idleCount;
    connectionsIdle.set(labels, idle);
    connectionsActive.set(labels, Math.max(0, pool.totalCount - idle));
  };
  const onPoolEvent = (): void => {
    if (pending || stopped) return;
    pending = true;
    process.nextTick(update);
  };
  const events = ['connect', 'acquire', 'release', 'remove'] as const;
  for (const event of events) pool.on(event, onPoolEvent);
  update();

  const query = function observedQuery(...args: unknown[]): unknown {
    const run = pool.query as unknown as (...queryArgs: unknown[]) => unknown;
    if (typeof args[args.length - 1] === 'function') return run.apply(pool, args);
    const operation = postgresOperation(args[0]);
    const started = performance.now();
    const record = (): void => {
      queryDuration.observe({ backend: BACKEND, operation }, (performance.now() - started) / 1000);
    };
    const result = run.apply(pool, args);
    if (result === null || typeof (result as Promise<unknown>).then !== 'function') {
      record();
      return result;
    }
    // A new promise settled like the query's: a rejection nobody handles stays unhandled (a
    // handler on the query's own promise would mark it handled and change the service's crash).
    return (result as Promise<unknown>).then(
      (value) => {
        record();
        return value;
      },
      (error: unknown) => {
        record();
        throw error; // node-do-not-add-exception-line (the query's error, unchanged)
      },
    );
  } as unknown as P['query'];

  return {
    query,
    stop(): void {
      if (stopped) return;
      stopped = true;
      for (const event of events) (pool.off ?? pool.removeListener)?.call(pool, event, onPoolEvent);
      connectionsActive.remove(labels);
      connectionsIdle.remove(labels);
    },
  };
}
