// Issue 20 (5, in part): express and pg spans through the named instrumentations, from a real
// PostgreSQL (Debian's postgresql, started on loopback in a temp dir) and a real Express 5 server.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { initObservability, type ObservabilityHandle } from '../../src/init.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { startPostgres, type Postgres } from '../support/postgres.js';

describe('express and pg instrumentations against a real PostgreSQL', () => {
  let postgres: Postgres;
  let receiver: OtlpReceiver;
  let obs: ObservabilityHandle;
  let server: Server;
  let pool: { end(): Promise<void> } | undefined;
  let base: string;

  before(async () => {
    postgres = await startPostgres();
    receiver = await startHttpReceiver();
    obs = await initObservability({
      env: {},
      overrides: {
        prometheus: { enabled: false },
        logging: { level: 'silent' },
        opentelemetry: {
          exporter: { protocol: 'http/protobuf', endpoint: receiver.url },
          batch: { scheduled_delay_ms: 50 },
          sampling: { strategy: 'always_on' },
          instrumentations: { express: true, pg: true },
          http: { ignore_incoming_paths: ['/v1/traces', '/healthz'] },
        },
      },
    });
    // Loaded after initObservability() resolved: required, so the CommonJS hooks patch them.
    const require = createRequire(import.meta.url);
    const express = require('express') as typeof import('express');
    const pg = require('pg') as typeof import('pg');
    const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
    pool = db;
    const app = express();
    app.get('/healthz', (_request, response) => void response.send('ok'));
    app.get('/work', async (_request, response) => {
      const result = await db.query('SELECT $1::int + 1 AS answer', [41]);
      response.json(result.rows[0]);
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await pool?.end();
    await obs?.shutdown();
    await receiver?.close();
    postgres?.stop();
  });

  it('answers from PostgreSQL and exports express spans and a db.system postgresql span', async () => {
    assert.deepEqual(await (await fetch(`${base}/work`)).json(), { answer: 42 });
    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');
    const deadline = Date.now() + 30_000;
    let spans = receiver.spans();
    while (Date.now() < deadline && !spans.some((span) => span.scope.includes('instrumentation-pg'))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      spans = receiver.spans();
    }
    const query = spans.find((span) => span.scope.includes('instrumentation-pg') && span.kind === 3);
    assert.ok(query, JSON.stringify(spans.map((span) => [span.name, span.scope])));
    assert.equal(query.attributes['db.system'] ?? query.attributes['db.system.name'], 'postgresql');
    const expressSpans = spans.filter((span) => span.scope.includes('instrumentation-express'));
    assert.ok(
      expressSpans.some((span) => span.attributes['http.route'] === '/work' || String(span.name).includes('/work')),
      JSON.stringify(expressSpans.map((s) => [s.name, s.attributes])),
    );
    const servers = spans.filter((span) => span.kind === 2);
    assert.equal(servers.length, 1, 'GET /healthz makes no server span, GET /work does');
    assert.equal(query.traceId, servers[0]?.traceId);
  });
});
