import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as Package from '../src/index.js';

/**
 * Issue 22: two copies of the package in one process (a CommonJS and an ESM path, or two versions
 * nested in node_modules) share one lifecycle slot (src/runtime.ts): either copy's
 * getObservability() returns the live handle whichever copy started it, a second start through
 * the other copy is refused as one would be through the same copy, and decorators of either
 * record into the live metrics. The second copy is the built package copied beside the first
 * (dist/copy-b/src), so that its imports of pino, prom-client and OpenTelemetry resolve as the
 * first's do.
 */

const DIST_SRC = new URL('../src/', import.meta.url);
const COPY = new URL('../copy-b/', import.meta.url);

const overrides = {
  env: {},
  overrides: {
    prometheus: { host: '127.0.0.1', port: 0, default_metrics: false },
    logging: { level: 'silent' as const },
    opentelemetry: { enabled: false },
  },
};

let a: typeof Package;
let b: typeof Package;

before(async () => {
  cpSync(DIST_SRC, new URL('src/', COPY), { recursive: true });
  a = (await import(new URL('index.js', DIST_SRC).href)) as typeof Package;
  b = (await import(new URL('src/index.js', COPY).href)) as typeof Package;
});
after(() => rmSync(fileURLToPath(COPY), { recursive: true, force: true }));

describe('two copies of the package in one process', () => {
  it('are two module instances', () => {
    assert.notEqual(a.initObservability, b.initObservability);
    assert.notEqual(a.getObservability, b.getObservability);
  });

  it('agree on the live handle, refuse a second start through either copy, and record into one registry', async () => {
    assert.equal(a.getObservability(), undefined);
    assert.equal(b.getObservability(), undefined);
    const handle = await a.initObservability(overrides);
    try {
      assert.equal(b.getObservability(), handle, "copy B's getObservability() returns copy A's live handle");
      await assert.rejects(b.initObservability(overrides), (error: unknown) => {
        assert.ok(b.isObservabilityError(error));
        assert.equal(error.code, 'OBS_ERR_ALREADY_INITIALIZED');
        assert.match(error.message, /getObservability\(\)/);
        return true;
      });
      const TaskOfB = b.Task;
      class Worker {
        @TaskOfB({ type: 'copy-b' })
        run(value: number): number {
          return value * 2;
        }
      }
      assert.equal(new Worker().run(21), 42);
      const text = await handle.metrics.scrape('text');
      assert.match(text, /^grey_tasks_completed_total\{[^}]*type="copy-b"[^}]*\} 1$/m);
    } finally {
      await b.getObservability()?.shutdown();
    }
    assert.equal(a.getObservability(), undefined);
    assert.equal(b.getObservability(), undefined);
  });

  it('let the other copy start once the first shut down, and both see that start', async () => {
    const handle = await b.initObservability(overrides);
    try {
      assert.equal(a.getObservability(), handle);
      await assert.rejects(a.initObservability(overrides), /already called/);
    } finally {
      await a.getObservability()?.shutdown();
    }
    assert.equal(b.getObservability(), undefined);
  });
});
