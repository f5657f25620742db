import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaDefaults } from '../../src/config/defaults.js';
import { envNameOf, listSchemaLeaves, sensitiveKeys } from '../../src/config/schema.js';
import type { ObservabilityConfig, PropagatorName, SamplingStrategy } from '../../src/config/types.js';
import { redactionPaths } from '../../src/logging/redaction.js';

// Compile-time checks: the config type is derived from the schema's formats.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typeChecks: Array<true> = [
  true satisfies Equal<ObservabilityConfig['prometheus']['port'], number>,
  true satisfies Equal<ObservabilityConfig['prometheus']['enabled'], boolean>,
  true satisfies Equal<ObservabilityConfig['prometheus']['latency_buckets'], number[]>,
  true satisfies Equal<ObservabilityConfig['opentelemetry']['propagation'], PropagatorName[]>,
  true satisfies Equal<ObservabilityConfig['opentelemetry']['sampling']['strategy'], SamplingStrategy>,
  true satisfies Equal<ObservabilityConfig['opentelemetry']['exporter']['headers'], Record<string, string>>,
  true satisfies Equal<ObservabilityConfig['logging']['redact'], string[]>,
  true satisfies Equal<ObservabilityConfig['shutdown_timeout_ms'], number>,
];

describe('config schema', () => {
  it('derives a config type whose defaults are the schema defaults', () => {
    assert.equal(typeChecks.length, 8);
    const defaults: ObservabilityConfig = schemaDefaults();
    assert.equal(defaults.prometheus.port, 9090);
    // @ts-expect-error a port is a number
    defaults.prometheus.port = '9090';
    // @ts-expect-error not a propagator of the schema
    defaults.opentelemetry.propagation = ['jaeger'];
  });

  const names: Array<[string, string]> = [
    ['service.name', 'GREY_SERVICE_NAME'],
    ['prometheus.port', 'GREY_PROMETHEUS_PORT'],
    ['prometheus.auth.token', 'GREY_PROMETHEUS_AUTH_TOKEN'],
    ['opentelemetry.enabled', 'GREY_OTEL_ENABLED'],
    ['opentelemetry.exporter.timeout_ms', 'GREY_OTEL_EXPORTER_TIMEOUT_MS'],
    ['opentelemetry.sampling.error_capture.max_traces', 'GREY_OTEL_ERROR_CAPTURE_MAX_TRACES'],
    ['opentelemetry.instrumentations.fetch', 'GREY_OTEL_INSTRUMENT_FETCH'],
    ['logging.level', 'GREY_LOG_LEVEL'],
    ['tenancy.warn_interval_ms', 'GREY_TENANCY_WARN_INTERVAL_MS'],
    ['shutdown_timeout_ms', 'GREY_SHUTDOWN_TIMEOUT_MS'],
  ];
  for (const [key, env] of names) {
    it(`derives ${env} for ${key}`, () => {
      assert.equal(envNameOf(key), env);
      assert.equal(listSchemaLeaves().find((l) => l.key === key)?.env, env);
    });
  }

  it('gives every key its own environment variable', () => {
    const all = listSchemaLeaves().map((l) => l.env);
    assert.equal(new Set(all).size, all.length);
  });

  it('redacts every sensitive key in log lines, at the top level and under config.', () => {
    const paths = redactionPaths([]);
    assert.deepEqual(sensitiveKeys(), [
      'prometheus.auth.token',
      'prometheus.auth.password',
      'opentelemetry.exporter.headers',
    ]);
    for (const key of sensitiveKeys()) {
      assert.ok(paths.includes(key), key);
      assert.ok(paths.includes(`config.${key}`), key);
      assert.ok(paths.includes(key.slice(key.indexOf('.') + 1)), key);
    }
  });
});
