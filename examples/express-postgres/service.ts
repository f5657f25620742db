/**
 * examples/express-postgres: an Express 5 service on PostgreSQL that knows its observability only
 * through one line of start-up and one helper. Run (see README.md in this folder):
 *
 *   DATABASE_URL=postgres://... GREY_OBSERVABILITY_CONFIG=examples/express-postgres/observability.yaml \
 *     node --import @grey/observability/register dist/examples/express-postgres/service.js
 *
 * `--import register` starts metrics, tracing and logging before this module's static imports
 * load, so `express` and `pg` below are instrumented (express and pg spans), and the pool is
 * recorded in the spec's database catalog by observePostgresPool().
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { getObservability, observePostgresPool, withTenant } from '@grey/observability';

const obs = getObservability();
if (obs === undefined) throw new Error('start with node --import @grey/observability/register');
const { logger, metrics } = obs;

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 5) });
const db = observePostgresPool(metrics, pool, { shard: '0' });

await db.query(`CREATE TABLE IF NOT EXISTS tasks (
  id serial PRIMARY KEY,
  tenant text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`);

const app = express();
app.use(express.json());

// The tenant of a request, from its header, in the baggage of everything the request does.
app.use((request, _response, next) => {
  const tenant = request.get('x-tenant-id');
  if (tenant === undefined || tenant === '') next();
  else withTenant(tenant, () => next());
});

app.get('/healthz', (_request, response) => {
  response.send('ok');
});

app.post('/tasks', async (request, response) => {
  const tenant = request.get('x-tenant-id') ?? 'anonymous';
  const name = typeof request.body?.name === 'string' ? request.body.name : 'unnamed';
  const { rows } = await db.query<{ id: number }>('INSERT INTO tasks (tenant, name) VALUES ($1, $2) RETURNING id', [
    tenant,
    name,
  ]);
  metrics.tasks.submitted.inc({ type: 'stateless' });
  response.status(201).json({ id: rows[0]?.id });
});

app.get('/tasks/:id', async (request, response) => {
  const { rows } = await db.query('SELECT id, tenant, name FROM tasks WHERE id = $1', [Number(request.params.id)]);
  if (rows.length === 0) response.status(404).json({ error: 'not found' });
  else response.json(rows[0]);
});

app.get('/tasks', async (request, response) => {
  const tenant = request.get('x-tenant-id') ?? 'anonymous';
  const { rows } = await db.query('SELECT id, name FROM tasks WHERE tenant = $1 ORDER BY id', [tenant]);
  response.json(rows);
});

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  logger.info({ api: `http://127.0.0.1:${port}`, metrics: obs.metricsServer?.url ?? null }, 'express-postgres ready');
});

// Stop on SIGTERM (Kubernetes) and SIGINT (Ctrl-C): stop taking requests, close the pool, then
// flush the telemetry. With listeners of its own, the service decides when it ends (register
// leaves the signal to it: docs/tracing.md, "Process lifecycle").
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => {
      db.stop();
      void pool.end().then(() => obs.shutdown());
    });
  });
}
