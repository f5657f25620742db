// Issue 20 (1): named instrumentations beside http and fetch, from the config file, GREY_OTEL_INSTRUMENT_*
// and auto-instrumentations-node's OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type ResolvedConfig } from '../../src/config/load.js';
import { NAMED_INSTRUMENTATIONS, OTEL_NODE_INSTRUMENTATION_NAMES } from '../../src/tracing/instrumentation-catalog.js';
import { buildInstrumentations, incomingPathMatcher } from '../../src/tracing/instrumentations.js';
import { testConfig } from '../support/config.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

let dir: TempDir;
before(() => {
  dir = createTempDir();
});
after(() => dir.remove());

function load(env: NodeJS.ProcessEnv, file?: string): ResolvedConfig {
  return loadConfig({ cwd: dir.path, env, configFile: file });
}

function switches(resolved: ResolvedConfig): Record<string, boolean> {
  return { ...resolved.config.opentelemetry.instrumentations };
}

const ALL_KEYS = [...OTEL_NODE_INSTRUMENTATION_NAMES.values()];

function only(...on: string[]): Record<string, boolean> {
  return Object.fromEntries(ALL_KEYS.map((key) => [key, on.includes(key)]));
}

describe('opentelemetry.instrumentations (named)', () => {
  it('lists at least the instrumentations of the issue, off by default beside http and fetch on', () => {
    const names = NAMED_INSTRUMENTATIONS.map((entry) => entry.name);
    for (const name of [
      'express',
      'fastify',
      'koa',
      'nestjs-core',
      'graphql',
      'grpc',
      'pg',
      'mysql2',
      'mongodb',
      'ioredis',
      'redis',
      'kafkajs',
      'amqplib',
    ])
      assert.ok(names.includes(name as never), name);
    assert.deepEqual(switches(load({})), only('http', 'fetch'));
  });

  const ENV_CASES: Array<{ env: Record<string, string>; expected: Record<string, boolean> }> = [
    { env: { GREY_OTEL_INSTRUMENT_EXPRESS: 'true' }, expected: only('http', 'fetch', 'express') },
    { env: { GREY_OTEL_INSTRUMENT_NESTJS_CORE: 'true' }, expected: only('http', 'fetch', 'nestjs_core') },
    { env: { GREY_OTEL_INSTRUMENT_HTTP: 'false', GREY_OTEL_INSTRUMENT_PG: 'true' }, expected: only('fetch', 'pg') },
    // auto-instrumentations-node: the enabled list turns on what it names and off every other one.
    { env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'express,pg' }, expected: only('express', 'pg') },
    {
      env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, undici ,kafkajs' },
      expected: only('http', 'fetch', 'kafkajs'),
    },
    { env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'nestjs-core,http' }, expected: only('http', 'nestjs_core') },
    { env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'undici' }, expected: only('http') },
    {
      env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,pg', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express' },
      expected: only('http', 'pg'),
    },
    // GREY_OTEL_INSTRUMENT_* is the package's own variable: it beats the standard lists.
    {
      env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'pg', GREY_OTEL_INSTRUMENT_HTTP: 'true' },
      expected: only('http', 'pg'),
    },
  ];
  for (const { env, expected } of ENV_CASES) {
    it(`reads ${JSON.stringify(env)}`, () => {
      const resolved = load(env);
      assert.deepEqual(switches(resolved), expected);
      assert.deepEqual(resolved.warnings, []);
    });
  }

  it('reads the switches from the config file', () => {
    const file = dir.write('named.yaml', 'opentelemetry:\n  instrumentations:\n    express: true\n    ioredis: true\n');
    assert.deepEqual(switches(load({}, file)), only('http', 'fetch', 'express', 'ioredis'));
  });

  it('warns about an unknown name in OTEL_NODE_ENABLED_INSTRUMENTATIONS and uses the known ones', () => {
    const resolved = load({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'express,fs,nonesuch' });
    assert.deepEqual(switches(resolved), only('express'));
    assert.equal(resolved.warnings.length, 1);
    const [warning] = resolved.warnings;
    assert.equal(warning?.code, 'OBS_WARN_CONFIG_ENV_IGNORED');
    assert.equal(warning?.variable, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS');
    assert.match(warning?.message ?? '', /"fs", "nonesuch" ignored/);
  });

  it('ignores a list with no known name, with a warning, and keeps the defaults', () => {
    const resolved = load({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'dns,net' });
    assert.deepEqual(switches(resolved), only('http', 'fetch'));
    assert.equal(resolved.warnings[0]?.variable, 'OTEL_NODE_DISABLED_INSTRUMENTATIONS');
  });

  it('rejects a GREY_OTEL_INSTRUMENT_* value that is not a boolean', () => {
    assert.throws(() => load({ GREY_OTEL_INSTRUMENT_KAFKAJS: 'maybe' }), { code: 'OBS_ERR_CONFIG_ENV_INVALID' });
  });
});

describe('buildInstrumentations', () => {
  it('creates each enabled named instrumentation from its installed package, and nothing for what is off', async () => {
    const on = Object.fromEntries(NAMED_INSTRUMENTATIONS.map((entry) => [entry.key, true]));
    const config = testConfig({ opentelemetry: { instrumentations: { http: false, fetch: false, ...on } } });
    const built = await buildInstrumentations(config);
    try {
      const names = built.map((instrumentation) => instrumentation.instrumentationName);
      assert.equal(built.length, NAMED_INSTRUMENTATIONS.length);
      for (const entry of NAMED_INSTRUMENTATIONS) assert.ok(names.includes(entry.package), entry.package);
    } finally {
      for (const instrumentation of built) instrumentation.disable();
    }
    const none = await buildInstrumentations(
      testConfig({ opentelemetry: { instrumentations: { http: false, fetch: false } } }),
    );
    assert.deepEqual(none, []);
  });

  it('leaves a named instrumentation to the instance passed in code', async () => {
    const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
    const mine = new PgInstrumentation({ enabled: false });
    const config = testConfig({ opentelemetry: { instrumentations: { http: false, fetch: false, pg: true } } });
    const built = await buildInstrumentations(config, [mine]);
    assert.deepEqual(built, [mine]);
  });
});

describe('incomingPathMatcher (opentelemetry.http.ignore_incoming_paths)', () => {
  const CASES: Array<[string, boolean]> = [
    ['/healthz', true],
    ['/healthz?verbose=1', true],
    ['/healthz/', false],
    ['/healthzz', false],
    ['/internal/ready', true],
    ['/internal/', true],
    ['/internal', false],
    ['/work', false],
    ['/', false],
  ];
  const matches = incomingPathMatcher(['/healthz', '/internal/*']);
  for (const [url, ignored] of CASES) {
    it(`${ignored ? 'ignores' : 'traces'} ${url}`, () => {
      assert.equal(matches({ url } as IncomingMessage), ignored);
    });
  }

  it('reads GREY_OTEL_HTTP_IGNORE_INCOMING_PATHS as a list and rejects a path without a leading /', () => {
    const resolved = load({ GREY_OTEL_HTTP_IGNORE_INCOMING_PATHS: '/healthz,/ready/*' });
    assert.deepEqual(resolved.config.opentelemetry.http.ignore_incoming_paths, ['/healthz', '/ready/*']);
    assert.throws(() => load({ GREY_OTEL_HTTP_IGNORE_INCOMING_PATHS: 'healthz' }), {
      code: 'OBS_ERR_CONFIG_ENV_INVALID',
    });
    assert.throws(() => load({ GREY_OTEL_HTTP_IGNORE_INCOMING_PATHS: '/a*b' }), { code: 'OBS_ERR_CONFIG_ENV_INVALID' });
  });
});
