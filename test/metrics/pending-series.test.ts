import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { PendingSeriesSet } from '../../src/metrics/pending-series.js';

function counterOn(registry: Registry, collect?: () => void): Counter<'type' | 'tenant'> {
  return new Counter({
    name: 'jobs_total',
    help: 'jobs',
    labelNames: ['type', 'tenant'],
    registers: [registry],
    ...(collect === undefined ? {} : { collect }),
  });
}

describe('PendingSeriesSet', () => {
  it('shows every addition on each read, as direct inc() calls would, through the registry and get()', async () => {
    const registry = new Registry();
    const counter = counterOn(registry);
    const pending = new PendingSeriesSet(counter, (error) => assert.fail(String(error)));
    const series = pending.seriesFor({ type: 'batch', tenant: 'a' })!;
    for (let i = 0; i < 5; i++) series.add(1);
    assert.match(await registry.metrics(), /^jobs_total\{type="batch",tenant="a"\} 5$/m);
    series.add(2);
    assert.deepEqual(
      (await counter.get()).values.map((v) => [v.labels, v.value]),
      [[{ type: 'batch', tenant: 'a' }, 7]],
    );
  });

  it('gives the same series for the same label values, whatever the object or key order', () => {
    const pending = new PendingSeriesSet(counterOn(new Registry()), () => undefined);
    const first = pending.seriesFor({ type: 'batch', tenant: 'a' });
    assert.equal(pending.seriesFor({ tenant: 'a', type: 'batch' }), first);
    assert.notEqual(pending.seriesFor({ type: 'batch', tenant: 'b' }), first);
  });

  it('lets a gauge go up and down; a series that nets to 0 still exists at 0 once read', async () => {
    const registry = new Registry();
    const gauge = new Gauge({ name: 'running', help: 'running', labelNames: ['tenant'], registers: [registry] });
    const series = new PendingSeriesSet(gauge, () => undefined).seriesFor({ tenant: 'a' })!;
    series.add(1);
    series.add(1);
    assert.match(await registry.metrics(), /^running\{tenant="a"\} 2$/m);
    series.add(-1);
    series.add(-1);
    series.add(1);
    series.add(-1);
    assert.match(await registry.metrics(), /^running\{tenant="a"\} 0$/m);
  });

  it("keeps the metric's own collect hook, and drops what is pending on reset()", async () => {
    const registry = new Registry();
    let collected = 0;
    const counter = counterOn(registry, () => {
      collected++;
    });
    const series = new PendingSeriesSet(counter, () => undefined).seriesFor({ type: 't', tenant: 'a' })!;
    series.add(3);
    counter.reset();
    series.add(1);
    assert.match(await registry.metrics(), /^jobs_total\{type="t",tenant="a"\} 1$/m);
    assert.equal(collected, 1);
  });

  it('after registry.resetMetrics() shows only the series recorded since, as direct calls would', async () => {
    const registry = new Registry();
    const counter = counterOn(registry);
    const gauge = new Gauge({ name: 'running', help: 'running', labelNames: ['tenant'], registers: [registry] });
    const counted = new PendingSeriesSet(counter, () => undefined);
    const running = new PendingSeriesSet(gauge, () => undefined);
    const [a, b] = [counted.seriesFor({ type: 't', tenant: 'a' })!, counted.seriesFor({ type: 't', tenant: 'b' })!];
    const [ra, rb] = [running.seriesFor({ tenant: 'a' })!, running.seriesFor({ tenant: 'b' })!];
    a.add(1);
    b.add(1);
    ra.add(1);
    rb.add(1);
    rb.add(-1);
    await registry.metrics();
    registry.resetMetrics();
    a.add(1);
    ra.add(1);
    ra.add(-1); // a task of tenant a ran since the reset: its series is back, at 0
    const text = await registry.metrics();
    assert.deepEqual(
      text.split('\n').filter((line) => /^(jobs_total|running)\{/.test(line)),
      ['jobs_total{type="t",tenant="a"} 1', 'running{tenant="a"} 0'],
    );
    b.add(2);
    assert.match(await registry.metrics(), /^jobs_total\{type="t",tenant="b"\} 2$/m);
  });

  it('reports labels the metric rejects to onError and never throws into the reader', async () => {
    const registry = new Registry();
    const errors: unknown[] = [];
    const series = new PendingSeriesSet(counterOn(registry), (error) => errors.push(error)).seriesFor({ region: 'x' })!;
    series.add(1);
    const body = await registry.metrics();
    assert.doesNotMatch(body, /region/);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /region/);
  });

  it('keeps at most 10,000 series; beyond, it answers undefined (the caller records directly)', () => {
    const pending = new PendingSeriesSet(counterOn(new Registry()), () => undefined);
    for (let i = 0; i < 10_000; i++) assert.ok(pending.seriesFor({ type: 't', tenant: `t${i}` }) !== undefined);
    assert.equal(pending.seriesFor({ type: 't', tenant: 'one-more' }), undefined);
    assert.ok(pending.seriesFor({ type: 't', tenant: 't0' }) !== undefined, 'a known series is still given');
  });
});
