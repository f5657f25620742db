/**
 * The config pipeline's own guarantees (docs/architecture.md, "Config"): each value is validated
 * once, by its key's format; derived values are checked too; the config holds copies of what the
 * caller passed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { listSchemaLeaves, type SchemaLeaf } from '../../src/config/schema.js';
import { isObservabilityError } from '../../src/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/** Counts the calls of `key`'s format (with their values) while `run` runs; the format is restored after. */
function countChecks(key: string, run: () => void): unknown[] {
  const leaf = listSchemaLeaves().find((l) => l.key === key)?.leaf as SchemaLeaf;
  const original = leaf.format;
  const seen: unknown[] = [];
  const counting = Object.assign(
    (value: unknown) => {
      seen.push(value);
      original(value);
    },
    { kind: original.kind },
  );
  (leaf as { format: unknown }).format = counting;
  try {
    run();
  } finally {
    (leaf as { format: unknown }).format = original;
  }
  return seen;
}

describe('config pipeline', () => {
  let dir: TempDir;
  before(() => {
    dir = createTempDir('grey-obs-pipeline-');
  });
  after(() => dir.remove());

  it('validates each value once: one check per source that sets the key, none for the default', () => {
    const file = dir.write('observability.yaml', 'prometheus:\n  port: ${FILE_PORT}\n');
    const checks = countChecks('prometheus.port', () => {
      const { config } = loadConfig({
        configFile: file,
        env: { FILE_PORT: '9100', GREY_PROMETHEUS_PORT: '9200' },
        overrides: { prometheus: { port: 9300 } },
      });
      assert.equal(config.prometheus.port, 9300);
    });
    assert.deepEqual(checks, [9100, 9200, 9300]);
    assert.deepEqual(
      countChecks('prometheus.port', () => loadConfig({ env: {} })),
      [],
    );
  });

  it('checks a derived value once, by its key format, naming where it came from', () => {
    const checks = countChecks('opentelemetry.exporter.endpoint', () => {
      const { config } = loadConfig({
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://gw:4318/otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      });
      assert.equal(config.opentelemetry.exporter.endpoint, 'http://gw:4318/otlp/v1/traces');
    });
    // Once as read (OTEL_* reader), once as derived.
    assert.deepEqual(checks, ['http://gw:4318/otlp', 'http://gw:4318/otlp/v1/traces']);
    const file = dir.write('identity.yaml', 'opentelemetry:\n  resource:\n    service.name: ""\n');
    assert.throws(
      () => loadConfig({ configFile: file, env: {} }),
      (error: unknown) =>
        isObservabilityError(error, 'OBS_ERR_CONFIG_INVALID') &&
        error.key === 'service.name' &&
        error.file === file &&
        error.message.includes('opentelemetry.resource["service.name"]') &&
        error.expected === 'a non-empty string',
    );
  });

  it('keeps copies of the overrides, so a later change of the caller object changes nothing', () => {
    const buckets = [0.1, 1, 10];
    const overrides = { prometheus: { latency_buckets: buckets } };
    const { config } = loadConfig({ env: {}, overrides });
    buckets.push(100);
    overrides.prometheus.latency_buckets = [5];
    assert.deepEqual(config.prometheus.latency_buckets, [0.1, 1, 10]);
  });

  it('names every problem of every layer in one error, file first', () => {
    const file = dir.write('bad.yaml', 'prometheus:\n  port: high\n  nope: 1\n');
    assert.throws(
      () =>
        loadConfig({
          configFile: file,
          env: { GREY_LOG_LEVEL: 'loud' },
          overrides: { tenancy: { max_tenants_per_metric: -1 } },
        }),
      (error: unknown) => {
        if (!isObservabilityError(error)) return false;
        const keys = [error.key, ...error.others.map((other) => other.key)];
        assert.deepEqual(keys, [
          'prometheus.nope',
          'prometheus.port',
          'logging.level',
          'tenancy.max_tenants_per_metric',
        ]);
        return true;
      },
    );
  });

  it('lets a GREY_* variable beat a standard OTEL_* one for the service identity, whichever place it is written', () => {
    const { config, sources } = loadConfig({ env: { OTEL_SERVICE_NAME: 'a', GREY_OTEL_RESOURCE: 'service.name=g' } });
    assert.equal(config.service.name, 'g');
    assert.match(sources['service.name']?.origin ?? '', /^GREY_OTEL_RESOURCE/);
    const reverse = loadConfig({ env: { GREY_SERVICE_NAME: 'g', OTEL_RESOURCE_ATTRIBUTES: 'service.name=a' } });
    assert.equal(reverse.config.service.name, 'g');
  });
});
