import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { isObservabilityError } from '../../src/errors.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { acceptsGzip, startMetricsServer, type MetricsServer } from '../../src/metrics/server.js';
import type { ConfigOverrides } from '../../src/config/types.js';
import { testConfig } from '../support/config.js';
import { silentLogger } from './support/logger.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request (fetch would decompress and hide Content-Encoding). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; path?: string } = {},
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? target.pathname,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function withServer(overrides: ConfigOverrides, run: (server: MetricsServer) => Promise<void>): Promise<void> {
  const config = testConfig(overrides);
  const metrics = createMetrics(config, silentLogger());
  metrics.tasks.submitted.inc({ type: 'stateless', tenant: 't1' });
  const server = await startMetricsServer(config, metrics);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe('startMetricsServer', () => {
  it('serves text 0.0.4 by default on 127.0.0.1 and the configured path', async () => {
    await withServer({ prometheus: { path: '/custom/metrics' } }, async (server) => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/custom\/metrics$/);
      assert.ok(server.port > 0);
      const res = await send(server.url);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.match(res.body.toString(), /^grey_tasks_submitted_total\{type="stateless",tenant="t1"\} 1$/m);
      const withQuery = await send(server.url, { path: '/custom/metrics?x=1' });
      assert.equal(withQuery.status, 200);
    });
  });

  it('answers OpenMetrics when the scraper asks for it', async () => {
    await withServer({}, async (server) => {
      const res = await send(server.url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
      assert.equal(res.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
      assert.ok(res.body.toString().endsWith('# EOF\n'));
      assert.match(String(res.headers.vary), /Accept/);
    });
  });

  it('answers 404 on other paths and 405 with Allow on other methods', async () => {
    await withServer({}, async (server) => {
      assert.equal((await send(server.url, { path: '/' })).status, 404);
      assert.equal((await send(server.url, { path: '/metrics/extra' })).status, 404);
      for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
        const res = await send(server.url, { method });
        assert.equal(res.status, 405, method);
        assert.equal(res.headers.allow, 'GET, HEAD');
      }
    });
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    await withServer({}, async (server) => {
      const res = await send(server.url, { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.ok(Number(res.headers['content-length']) > 0);
      assert.equal(res.body.length, 0);
    });
  });

  it('gzips when the scraper accepts gzip, and not otherwise', async () => {
    await withServer({}, async (server) => {
      const zipped = await send(server.url, { headers: { 'accept-encoding': 'gzip, deflate' } });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
      assert.match(gunzipSync(zipped.body).toString(), /grey_tasks_submitted_total/);
      const refused = await send(server.url, { headers: { 'accept-encoding': 'gzip;q=0, identity' } });
      assert.equal(refused.headers['content-encoding'], undefined);
      assert.match(refused.body.toString(), /grey_tasks_submitted_total/);
    });
  });

  it('reads Accept-Encoding by its rules: qualities, *, x-gzip and case', () => {
    const cases: Array<[string | undefined, boolean]> = [
      [undefined, false],
      ['', false],
      ['identity', false],
      ['gzip', true],
      ['GZIP', true],
      ['x-gzip', true],
      ['*', true],
      ['deflate, *;q=0.1', true],
      ['gzip;q=0, identity', false],
      ['*;q=0', false],
      ['br;q=1, gzip;q=0.001', true],
    ];
    for (const [header, expected] of cases) assert.equal(acceptsGzip(header), expected, String(header));
  });

  it('requires the bearer token when auth.type is bearer', async () => {
    const auth = { type: 'bearer' as const, token: 's3cret', username: '', password: '' };
    await withServer({ prometheus: { auth } }, async (server) => {
      const none = await send(server.url);
      assert.equal(none.status, 401);
      assert.match(String(none.headers['www-authenticate']), /^Bearer/);
      assert.equal((await send(server.url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      assert.equal((await send(server.url, { headers: { authorization: 'Bearer s3cret' } })).status, 200);
    });
  });

  it('requires the username and password when auth.type is basic', async () => {
    const auth = { type: 'basic' as const, token: '', username: 'prom', password: 'p:ss' };
    await withServer({ prometheus: { auth } }, async (server) => {
      const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      const none = await send(server.url);
      assert.equal(none.status, 401);
      assert.match(String(none.headers['www-authenticate']), /^Basic/);
      assert.equal((await send(server.url, { headers: { authorization: basic('prom', 'nope') } })).status, 401);
      assert.equal((await send(server.url, { headers: { authorization: 'Bearer p:ss' } })).status, 401);
      assert.equal((await send(server.url, { headers: { authorization: basic('prom', 'p:ss') } })).status, 200);
    });
  });

  it('refuses to start bearer auth without a token', async () => {
    const config = testConfig({ prometheus: { auth: { type: 'bearer', token: '', username: '', password: '' } } });
    await assert.rejects(startMetricsServer(config, createMetrics(config, silentLogger())), (error: unknown) => {
      assert.ok(isObservabilityError(error, 'OBS_ERR_CONFIG_INVALID'));
      assert.equal(error.key, 'prometheus.auth.token');
      return true;
    });
  });

  it('throws OBS_ERR_PORT_IN_USE naming prometheus.port and the port, leaving nothing bound', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const config = testConfig({ prometheus: { port } });
      const metrics = createMetrics(config, silentLogger());
      await assert.rejects(startMetricsServer(config, metrics), (error: unknown) => {
        assert.ok(isObservabilityError(error, 'OBS_ERR_PORT_IN_USE'));
        assert.equal(error.key, 'prometheus.port');
        assert.equal(error.value, port);
        assert.match(error.message, new RegExp(`prometheus\\.port[\\s\\S]*${port}`));
        return true;
      });
      // Nothing of ours is bound: once the blocker goes, the port can be taken again.
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      const server = await startMetricsServer(config, metrics);
      assert.equal(server.port, port);
      await server.close();
    } finally {
      if (blocker.listening) blocker.close();
    }
  });

  it('throws OBS_ERR_METRICS_SERVER naming prometheus.host for an address this machine does not have', async () => {
    const config = testConfig({ prometheus: { host: '203.0.113.7' } }); // TEST-NET-3, never local
    await assert.rejects(startMetricsServer(config, createMetrics(config, silentLogger())), (error: unknown) => {
      assert.ok(isObservabilityError(error, 'OBS_ERR_METRICS_SERVER'));
      assert.equal(error.key, 'prometheus.host');
      assert.equal(error.value, '203.0.113.7');
      return true;
    });
  });

  it('binds nothing when prometheus.enabled is false', async () => {
    const config = testConfig({ prometheus: { enabled: false } });
    const server = await startMetricsServer(config, createMetrics(config, silentLogger()));
    assert.equal(server.port, 0);
    assert.equal(server.url, '');
    await server.close();
  });

  it('answers 500 and stays up when collecting fails', async () => {
    const config = testConfig();
    const metrics = createMetrics(config, silentLogger());
    const broken = metrics.gauge({ name: 'grey_broken_gauge', help: 'Throws on collect.' }).metric;
    (broken as unknown as { collect: () => void }).collect = () => {
      throw new Error('collector broke');
    };
    const server = await startMetricsServer(config, metrics);
    try {
      assert.equal((await send(server.url)).status, 500);
      assert.equal((await send(server.url, { path: '/' })).status, 404);
    } finally {
      await server.close();
    }
  });

  it('closes idle keep-alive connections and can be closed twice', async () => {
    await withServer({}, async (server) => {
      const res = await fetch(server.url); // fetch keeps the connection alive
      assert.equal(res.status, 200);
      await res.text();
      await server.close();
      await server.close();
      await assert.rejects(send(server.url));
    });
  });

  it('serves *_total counters over HTTP after the handle registry was read', async () => {
    const config = testConfig();
    const metrics = createMetrics(config, silentLogger());
    const server = await startMetricsServer(config, metrics);
    try {
      metrics.tasks.completed.inc({ type: 'batch' });
      await metrics.registry.metrics();
      await metrics.registry.getMetricsAsJSON();
      const text = (await send(server.url)).body.toString('utf8');
      assert.match(text, /^grey_tasks_completed_total\{tenant="__none__",type="batch"\} 1$/m);
      assert.doesNotMatch(text, /^grey_tasks_completed\{/m);
    } finally {
      await server.close();
    }
  });
});
