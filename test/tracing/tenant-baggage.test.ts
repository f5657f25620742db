import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, context, propagation, type Baggage } from '@opentelemetry/api';
import { initObservability, type ObservabilityHandle } from '../../src/init.js';
import { tenantDropCounts } from '../../src/tenancy/tenant-context.js';
import { buildPropagator } from '../../src/tracing/build-propagator.js';
import { extractContext, injectContext } from '../../src/tracing/propagation.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { BAGGAGE_MAX_MEMBER_BYTES } from '../../src/tracing/tenant-baggage.js';
import { currentTenant } from '../../src/tenancy/tenant-context.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { testConfig } from '../support/config.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { captureLogger, resetOtelGlobals, stopTracingAndReceiver, tracingConfig } from './helpers.js';

/** What the downstream service saw: the tenant it extracted with the package, and the raw baggage header. */
interface Seen {
  tenant: string | undefined;
  baggage: string | undefined;
  entries: number;
}

interface Service {
  url: string;
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<Service> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The last service of the chain: extracts the incoming context with the package and reports. */
function startDownstream(): Promise<Service> {
  return listen((req, res) => {
    const incoming = extractContext(req.headers, ROOT_CONTEXT);
    const seen: Seen = {
      tenant: currentTenant(incoming),
      baggage: req.headers['baggage'] as string | undefined,
      entries: propagation.getBaggage(incoming)?.getAllEntries().length ?? 0,
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
  });
}

/** How the middle service calls downstream: by fetch (the instrumentation injects) or node:http with injectContext. */
type Call = (url: string) => Promise<Seen>;

const viaFetch: Call = async (url) => (await (await fetch(url)).json()) as Seen;

const viaInjectContext: Call = (url) =>
  new Promise((resolve, reject) => {
    http
      .get(url, { headers: injectContext({}) }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(JSON.parse(body) as Seen));
      })
      .on('error', reject);
  });

/**
 * The middle service: extracts the incoming request's context, runs withTenant(`tenant`) (unless
 * undefined) and calls downstream with `call`; answers with what downstream saw, and the tenant
 * it read itself.
 */
function startMiddle(downstream: Service, call: Call, tenant: string | undefined): Promise<Service> {
  return listen((req, res) => {
    const incoming = extractContext(req.headers, ROOT_CONTEXT);
    const forward = (): Promise<Seen> => call(downstream.url);
    void context.with(incoming, async () => {
      const own = currentTenant();
      const seen = await (tenant === undefined ? forward() : withTenant(tenant, forward));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ own, seen }));
    });
  });
}

/** Sends one request with the baggage header `baggage` to `service`. */
async function send(service: Service, baggage: string): Promise<{ own: string | undefined; seen: Seen }> {
  const res = await fetch(service.url, { headers: { baggage } });
  return (await res.json()) as { own: string | undefined; seen: Seen };
}

/** `count` members `k<i>=<value>`, joined as a baggage header. */
function members(count: number, value = 'v'): string {
  return Array.from({ length: count }, (_, i) => `k${i}=${value}`).join(',');
}

/** The W3C limits every injected header must hold to (W3C Baggage, "Limits"). */
function assertWithinLimits(header: string | undefined): void {
  assert.ok(header !== undefined);
  const list = header.split(',');
  assert.ok(list.length <= 180, `${list.length} members`);
  assert.ok(header.length <= 8192, `${header.length} bytes`);
  for (const member of list) assert.ok(member.length <= BAGGAGE_MAX_MEMBER_BYTES);
}

const CALLS: Array<[string, Call, boolean]> = [
  ['injectContext and node:http, tracing disabled', viaInjectContext, false],
  ['fetch with its instrumentation, tracing enabled', viaFetch, true],
];

for (const [how, call, tracingOn] of CALLS) {
  describe(`the tenant in baggage across two hops (${how})`, () => {
    let tracing: Tracing | undefined;
    let receiver: OtlpReceiver | undefined;
    let downstream: Service;
    const started: Service[] = [];

    before(async () => {
      if (tracingOn) {
        receiver = await startHttpReceiver();
        const config = tracingConfig(receiver.url, 'http/protobuf', {
          opentelemetry: { instrumentations: { http: false, fetch: true } },
        });
        tracing = await startTracing(config, captureLogger().logger);
      } else {
        tracing = await startTracing(testConfig(), captureLogger().logger);
      }
      downstream = await startDownstream();
    });

    afterEach(async () => {
      for (const service of started.splice(0)) await service.close();
    });

    after(async () => {
      await downstream.close();
      await stopTracingAndReceiver(tracing, receiver);
    });

    async function middle(tenant: string | undefined): Promise<Service> {
      const service = await startMiddle(downstream, call, tenant);
      started.push(service);
      return service;
    }

    it('delivers acme downstream after an incoming baggage of 180 members', async () => {
      const { seen } = await send(await middle('acme'), members(180));
      assert.equal(seen.tenant, 'acme');
      assert.equal(seen.entries, 180, 'the tenant and 179 of the incoming members');
      assert.ok(seen.baggage?.startsWith('grey.tenant_id=acme,'));
      assertWithinLimits(seen.baggage);
    });

    it('delivers acme downstream after incoming members totalling more than 8,192 bytes', async () => {
      // Members of 4,090 bytes: the first two fill 8,181 of the 8,192 bytes, the third is beyond them.
      const incoming = members(3, 'x'.repeat(4087));
      assert.ok(incoming.length > 8192);
      const { seen } = await send(await middle('acme'), incoming);
      assert.equal(seen.tenant, 'acme');
      assertWithinLimits(seen.baggage);
    });

    it('delivers acme downstream when many small members and a few large ones would fill both limits', async () => {
      const incoming = `${members(100)},${Array.from({ length: 100 }, (_, i) => `big${i}=${'y'.repeat(60)}`).join(',')}`;
      const { seen } = await send(await middle('acme'), incoming);
      assert.equal(seen.tenant, 'acme');
      assertWithinLimits(seen.baggage);
    });

    it('keeps an incoming tenant that stood beyond the limits, and forwards it', async () => {
      const { own, seen } = await send(await middle(undefined), `${members(200)},grey.tenant_id=upstream`);
      assert.equal(own, 'upstream');
      assert.equal(seen.tenant, 'upstream');
      assertWithinLimits(seen.baggage);
    });

    it('sends the other entries without a tenant id too long to send, and counts it', async () => {
      const before = tenantDropCounts().too_long;
      const long = 't'.repeat(BAGGAGE_MAX_MEMBER_BYTES);
      const { seen } = await send(await middle(long), members(3));
      assert.equal(seen.tenant, undefined);
      assert.equal(seen.entries, 3);
      assert.equal(tenantDropCounts().too_long, before + 1);
    });

    it('sends the tenant when another entry cannot be percent-encoded', async () => {
      // A lone surrogate makes encodeURIComponent throw: the W3C propagator then sent no baggage at all.
      const service = await listen((_req, res) => {
        const bag: Baggage = propagation.createBaggage({ broken: { value: '\uD800' }, other: { value: 'ok' } });
        void context.with(propagation.setBaggage(ROOT_CONTEXT, bag), async () => {
          const seen = await withTenant('acme', () => call(downstream.url));
          res.writeHead(200).end(JSON.stringify({ seen }));
        });
      });
      started.push(service);
      const { seen } = (await (await fetch(service.url)).json()) as { seen: Seen };
      assert.equal(seen.tenant, 'acme');
      assert.equal(seen.entries, 2, 'the tenant and the encodable entry');
    });
  });
}

describe('the baggage propagator (injection order and limits)', () => {
  before(() => propagation.setGlobalPropagator(buildPropagator(['baggage'])));
  after(() => resetOtelGlobals());

  it('sends the tenant first whatever its place in the baggage, within 180 members and 8,192 bytes', () => {
    const entries: Record<string, { value: string }> = {};
    for (let i = 0; i < 250; i++) entries[`k${i}`] = { value: 'v'.repeat(40) };
    entries['grey.tenant_id'] = { value: 'acme' };
    const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(entries));
    const { baggage } = injectContext<Record<string, string>>({}, ctx);
    assert.ok(baggage?.startsWith('grey.tenant_id=acme,'));
    assertWithinLimits(baggage);
    assert.equal(currentTenant(extractContext({ baggage }, ROOT_CONTEXT)), 'acme');
  });

  it('counts a tenant id that cannot be encoded and sends the rest', () => {
    const before = tenantDropCounts().not_encodable;
    const ctx = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({ 'grey.tenant_id': { value: 'a\uDC00' }, other: { value: '1' } }),
    );
    assert.deepEqual(injectContext({}, ctx), { baggage: 'other=1' });
    assert.equal(tenantDropCounts().not_encodable, before + 1);
  });

  it('takes the tenant at the member limit exactly (4,096 bytes), and drops it one byte over', () => {
    const key = 'grey.tenant_id=';
    const fits = 'f'.repeat(BAGGAGE_MAX_MEMBER_BYTES - key.length);
    const over = `${fits}f`;
    const inject = (tenant: string) =>
      injectContext<Record<string, string>>(
        {},
        propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'grey.tenant_id': { value: tenant } })),
      ).baggage;
    assert.equal(inject(fits), `${key}${fits}`);
    assert.equal(inject(over), undefined);
  });
});

describe('grey_observability_baggage_tenant_dropped_total and OBS_WARN_BAGGAGE_TENANT_DROPPED', () => {
  let dir: TempDir;
  let live: ObservabilityHandle | undefined;

  before(() => {
    dir = createTempDir();
  });

  after(async () => {
    await live?.shutdown();
    resetOtelGlobals();
    dir.remove();
  });

  it('counts each request whose tenant was too long to send, with one rate-limited warning', async () => {
    const log = `${dir.path}/service.log`;
    live = await initObservability({
      cwd: dir.path,
      env: {},
      overrides: {
        prometheus: { enabled: false },
        logging: { level: 'warn', destination: log },
      },
    });
    const sample = async (): Promise<number> => {
      const text = await live!.metrics.registry.metrics();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('grey_observability_baggage_tenant_dropped_total{reason="too_long"}'));
      assert.ok(line !== undefined, text);
      return Number(line.split(' ').pop());
    };
    const before = await sample();
    assert.match(
      await live.metrics.registry.metrics(),
      /grey_observability_baggage_tenant_dropped_total\{reason="not_encodable"\} \d+/,
      'every reason is exposed from the start',
    );
    const tenant = 'é'.repeat(700); // 700 characters, 4,200 bytes percent-encoded
    for (let i = 0; i < 3; i++) withTenant(tenant, () => injectContext({}));
    assert.equal((await sample()) - before, 3);
    await live.shutdown();
    live = undefined;
    const warnings = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('OBS_WARN_BAGGAGE_TENANT_DROPPED'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(warnings.length, 1, 'rate-limited: one line for three requests');
    assert.equal(warnings[0]!['reason'], 'too_long');
    assert.equal(warnings[0]!['member_bytes'], 'grey.tenant_id='.length + 700 * 6);
    assert.ok(!JSON.stringify(warnings[0]).includes('%C3%A9'), 'the tenant id itself is not logged');
  });
});
