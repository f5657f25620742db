import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function node(args: string[]) {
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH },
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('package entry points', () => {
  it('loads from CommonJS through require(esm) with its named exports', () => {
    const script =
      "const m = require('@grey/observability'); console.log([typeof m.initObservability, typeof m.ObservabilityError, typeof m.Task, typeof m.Instrument, typeof m.withTenant].join(','))";
    const { code, stdout, stderr } = node(['-e', script]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'function,function,function,function,function');
  });

  it('loads from ESM by its package name', () => {
    const script =
      "const m = await import('@grey/observability'); console.log(typeof m.initObservability, typeof m.SpanNames)";
    const { code, stdout, stderr } = node(['--input-type=module', '-e', script]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'function object');
  });

  it('declares exports with types for ".", "./register" and "./cli", a bin and engines >=22.15', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8')) as {
      exports: Record<string, { types?: string; default?: string }>;
      bin: Record<string, string>;
      engines: { node: string };
      type: string;
    };
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.engines.node, '>=22.15');
    for (const entry of ['.', './register', './cli']) {
      assert.ok(pkg.exports[entry]?.types?.endsWith('.d.ts'), entry);
      assert.ok(pkg.exports[entry]?.default?.endsWith('.js'), entry);
    }
    assert.equal(pkg.bin['grey-observability'], './dist/src/cli/main.js');
  });

  it('does nothing when imported: no server, no SDK, no timers', () => {
    // pino touches process.stdout when it loads (a lazy getter that opens the pipe): that is the
    // baseline; importing the package must add nothing to it.
    const probe = (what: string) =>
      `await import('${what}'); await new Promise((r) => setTimeout(r, 100)); console.log(JSON.stringify(process.getActiveResourcesInfo()))`;
    const baseline = node(['--input-type=module', '-e', probe('pino')]);
    const { code, stdout, stderr } = node(['--input-type=module', '-e', probe('@grey/observability')]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, baseline.stdout);
    assert.ok(!/Timeout|TCPServerWrap|TCPWrap/.test(stdout), stdout);
  });
});
