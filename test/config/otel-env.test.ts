// Issue 18 (4): a standard OTEL_* variable that cannot be used is warned about and that one setting
// ignored (OpenTelemetry SDK environment variables; opentelemetry-js#5476): the key keeps the value
// of the lower layers (the file, else the default). GREY_*, the file and overrides stay strict.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getPath } from '../../src/config/paths.js';
import { loadConfig, type ResolvedConfig } from '../../src/config/load.js';
import { isObservabilityError } from '../../src/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

let dir: TempDir;
before(() => {
  dir = createTempDir();
});
after(() => dir.remove());

function load(env: NodeJS.ProcessEnv, file?: string): ResolvedConfig {
  return loadConfig({ cwd: dir.path, env, configFile: file });
}

interface IgnoredCase {
  env: Record<string, string>;
  key: string;
  /** The value the key keeps (the default unless the case says otherwise). */
  keeps: unknown;
  /** The variable named by the warning. */
  variable: string;
  /** Text the warning's `expected` holds. */
  expected: string;
}

const IGNORED: IgnoredCase[] = [
  {
    env: { OTEL_TRACES_SAMPLER: 'xray' },
    key: 'opentelemetry.sampling.strategy',
    keeps: 'parent_based_traceid_ratio',
    variable: 'OTEL_TRACES_SAMPLER',
    expected: 'parentbased_traceidratio',
  },
  {
    env: { OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote' },
    key: 'opentelemetry.sampling.strategy',
    keeps: 'parent_based_traceid_ratio',
    variable: 'OTEL_TRACES_SAMPLER',
    expected: 'always_on',
  },
  {
    env: { OTEL_TRACES_SAMPLER: 'constructor' },
    key: 'opentelemetry.sampling.strategy',
    keeps: 'parent_based_traceid_ratio',
    variable: 'OTEL_TRACES_SAMPLER',
    expected: 'always_on',
  },
  {
    env: { OTEL_TRACES_SAMPLER_ARG: 'abc' },
    key: 'opentelemetry.sampling.ratio',
    keeps: 0.1,
    variable: 'OTEL_TRACES_SAMPLER_ARG',
    expected: 'a number from 0 to 1',
  },
  {
    env: { OTEL_TRACES_SAMPLER_ARG: '2' },
    key: 'opentelemetry.sampling.ratio',
    keeps: 0.1,
    variable: 'OTEL_TRACES_SAMPLER_ARG',
    expected: 'a number from 0 to 1',
  },
  {
    env: { OTEL_TRACES_SAMPLER_ARG: '-0.5' },
    key: 'opentelemetry.sampling.ratio',
    keeps: 0.1,
    variable: 'OTEL_TRACES_SAMPLER_ARG',
    expected: 'a number from 0 to 1',
  },
  {
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    key: 'opentelemetry.exporter.protocol',
    keeps: 'grpc',
    variable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    expected: '"grpc", "http/protobuf"',
  },
  {
    env: { OTEL_EXPORTER_OTLP_TIMEOUT: '5s' },
    key: 'opentelemetry.exporter.timeout_ms',
    keeps: 10_000,
    variable: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    expected: 'an integer from 1 to 600000',
  },
  {
    env: { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0' },
    key: 'opentelemetry.exporter.timeout_ms',
    keeps: 10_000,
    variable: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
    expected: 'an integer from 1 to 600000',
  },
  {
    env: { OTEL_EXPORTER_OTLP_TIMEOUT: '1e9' },
    key: 'opentelemetry.exporter.timeout_ms',
    keeps: 10_000,
    variable: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    expected: 'an integer from 1 to 600000',
  },
  {
    env: { OTEL_BSP_MAX_QUEUE_SIZE: '-1' },
    key: 'opentelemetry.batch.max_queue_size',
    keeps: 2048,
    variable: 'OTEL_BSP_MAX_QUEUE_SIZE',
    expected: 'an integer from 1 to 1000000',
  },
  {
    env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1.5' },
    key: 'opentelemetry.batch.max_export_batch_size',
    keeps: 512,
    variable: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    expected: 'an integer',
  },
  {
    env: { OTEL_BSP_SCHEDULE_DELAY: 'soon' },
    key: 'opentelemetry.batch.scheduled_delay_ms',
    keeps: 5000,
    variable: 'OTEL_BSP_SCHEDULE_DELAY',
    expected: 'an integer',
  },
  {
    env: { OTEL_PROPAGATORS: 'xray' },
    key: 'opentelemetry.propagation',
    keeps: ['tracecontext', 'baggage'],
    variable: 'OTEL_PROPAGATORS',
    expected: 'tracecontext, baggage, b3, b3multi, none',
  },
  {
    env: { OTEL_PROPAGATORS: 'jaeger' },
    key: 'opentelemetry.propagation',
    keeps: ['tracecontext', 'baggage'],
    variable: 'OTEL_PROPAGATORS',
    expected: 'jaeger was removed',
  },
  {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' },
    key: 'opentelemetry.exporter.endpoint',
    keeps: '',
    variable: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    expected: 'an http:// or https:// URL',
  },
  {
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://[::1' },
    key: 'opentelemetry.exporter.endpoint',
    keeps: '',
    variable: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    expected: 'an http:// or https:// URL',
  },
  {
    env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cret-hdr%ZZ' },
    key: 'opentelemetry.exporter.headers',
    keeps: {},
    variable: 'OTEL_EXPORTER_OTLP_HEADERS',
    expected: 'percent-encoding',
  },
  {
    env: { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Bearer%20s3cret-hdr%0A' },
    key: 'opentelemetry.exporter.headers',
    keeps: {},
    variable: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    expected: 'control characters',
  },
  {
    env: { OTEL_EXPORTER_OTLP_HEADERS: 's3cret-hdr' },
    key: 'opentelemetry.exporter.headers',
    keeps: {},
    variable: 'OTEL_EXPORTER_OTLP_HEADERS',
    expected: 'key=value pairs',
  },
  {
    env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'br' },
    key: 'opentelemetry.exporter.compression',
    keeps: 'none',
    variable: 'OTEL_EXPORTER_OTLP_COMPRESSION',
    expected: '"none", "gzip"',
  },
  {
    env: { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '-5' },
    key: 'opentelemetry.limits.attribute_value_length',
    keeps: 0,
    variable: 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    expected: 'an integer from 0',
  },
  {
    env: { OTEL_ATTRIBUTE_COUNT_LIMIT: 'many' },
    key: 'opentelemetry.limits.attribute_count',
    keeps: 128,
    variable: 'OTEL_ATTRIBUTE_COUNT_LIMIT',
    expected: 'an integer from 0',
  },
  {
    env: { OTEL_SPAN_EVENT_COUNT_LIMIT: '10.5' },
    key: 'opentelemetry.limits.event_count',
    keeps: 128,
    variable: 'OTEL_SPAN_EVENT_COUNT_LIMIT',
    expected: 'an integer',
  },
  {
    env: { OTEL_SDK_DISABLED: 'yes' },
    key: 'opentelemetry.enabled',
    keeps: true,
    variable: 'OTEL_SDK_DISABLED',
    expected: 'true or false',
  },
  {
    env: { OTEL_SDK_DISABLED: '1' },
    key: 'opentelemetry.enabled',
    keeps: true,
    variable: 'OTEL_SDK_DISABLED',
    expected: 'true or false',
  },
  {
    env: { OTEL_RESOURCE_ATTRIBUTES: 'team=pay%ZZments,tier=gold' },
    key: 'opentelemetry.resource',
    keeps: { 'service.name': 'grey-service' },
    variable: 'OTEL_RESOURCE_ATTRIBUTES',
    expected: 'percent-encoding',
  },
  {
    env: { OTEL_RESOURCE_ATTRIBUTES: 'team' },
    key: 'opentelemetry.resource',
    keeps: { 'service.name': 'grey-service' },
    variable: 'OTEL_RESOURCE_ATTRIBUTES',
    expected: 'key=value pairs',
  },
  {
    env: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=,team=core' },
    key: 'opentelemetry.resource',
    keeps: { 'service.name': 'grey-service' },
    variable: 'OTEL_RESOURCE_ATTRIBUTES',
    expected: 'service.name not empty',
  },
  {
    env: { OTEL_SERVICE_NAME: '   ' },
    key: 'service.name',
    keeps: 'grey-service',
    variable: 'OTEL_SERVICE_NAME',
    expected: 'a non-empty string',
  },
];

describe('standard OTEL_* variables that cannot be used', () => {
  for (const c of IGNORED) {
    const [name, raw] = Object.entries(c.env)[0] as [string, string];
    it(`ignores ${name}=${JSON.stringify(raw)} with one warning, ${c.key} keeps ${JSON.stringify(c.keeps)}`, () => {
      const resolved = load(c.env);
      assert.deepEqual(getPath(resolved.config, c.key), c.keeps);
      assert.equal(resolved.sources[c.key]?.source, 'default');
      assert.equal(resolved.warnings.length, 1, JSON.stringify(resolved.warnings));
      const [warning] = resolved.warnings;
      assert.ok(warning);
      assert.equal(warning.code, 'OBS_WARN_CONFIG_ENV_IGNORED');
      assert.equal(warning.variable, c.variable);
      assert.equal(warning.key, c.key);
      assert.ok(warning.expected.includes(c.expected), `${warning.expected} should include ${c.expected}`);
      assert.ok(warning.message.includes(c.variable) && warning.message.includes(c.key), warning.message);
      assert.ok(warning.message.includes('keeps its default'), warning.message);
      if (c.key === 'opentelemetry.exporter.headers') {
        // A header value is a secret: never in the warning, whatever its shape.
        assert.equal(warning.value, '[REDACTED]');
        assert.ok(!JSON.stringify(warning).includes('s3cret-hdr'), warning.message);
      } else {
        assert.equal(warning.value, raw);
        assert.ok(warning.message.includes(JSON.stringify(raw)), warning.message);
      }
    });
  }

  it('keeps the value from the config file when the variable cannot be used, and says so', () => {
    const file = dir.write('sampler.yaml', 'opentelemetry:\n  sampling:\n    strategy: always_on\n    ratio: 0.5\n');
    const resolved = load({ OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: '2' }, file);
    assert.equal(resolved.config.opentelemetry.sampling.strategy, 'always_on');
    assert.equal(resolved.config.opentelemetry.sampling.ratio, 0.5);
    assert.deepEqual(resolved.sources['opentelemetry.sampling.strategy'], { source: 'file', origin: file });
    assert.deepEqual(
      resolved.warnings.map((w) => w.variable),
      ['OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG'],
    );
    for (const warning of resolved.warnings) assert.ok(warning.message.includes(`the config file ${file}`));
  });

  it('uses the generic variable when the signal-specific one cannot be used', () => {
    const resolved = load({
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://gateway:4318/otlp',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: 'never',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-key=%ZZ',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-key=generic',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '-1',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '16',
    });
    const exporter = resolved.config.opentelemetry.exporter;
    assert.equal(exporter.protocol, 'http/protobuf');
    // The generic endpoint is a base URL: /v1/traces is appended for http/protobuf.
    assert.equal(exporter.endpoint, 'http://gateway:4318/otlp/v1/traces');
    assert.equal(exporter.timeout_ms, 2500);
    assert.deepEqual(exporter.headers, { 'x-key': 'generic' });
    assert.equal(resolved.config.opentelemetry.limits.attribute_count, 16);
    assert.deepEqual(resolved.sources['opentelemetry.exporter.protocol'], {
      source: 'env',
      origin: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    });
    assert.deepEqual(
      resolved.warnings.map((w) => w.variable),
      [
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
        'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
        'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
        'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
        'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
      ],
    );
    assert.ok(resolved.warnings[1]?.message.includes('keeps the value of OTEL_EXPORTER_OTLP_PROTOCOL'));
  });

  it('warns about both when the signal-specific and the generic variable cannot be used', () => {
    const resolved = load({ OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'br', OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' });
    assert.equal(resolved.config.opentelemetry.exporter.compression, 'none');
    assert.deepEqual(
      resolved.warnings.map((w) => [w.variable, w.value]),
      [
        ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'br'],
        ['OTEL_EXPORTER_OTLP_COMPRESSION', 'zstd'],
      ],
    );
  });

  it('uses the known propagators of a list and warns about the others', () => {
    const resolved = load({ OTEL_PROPAGATORS: 'tracecontext,xray,baggage,jaeger,tracecontext' });
    assert.deepEqual(resolved.config.opentelemetry.propagation, ['tracecontext', 'baggage']);
    assert.equal(resolved.sources['opentelemetry.propagation']?.origin, 'OTEL_PROPAGATORS');
    assert.equal(resolved.warnings.length, 1);
    assert.match(resolved.warnings[0]?.message ?? '', /"xray", "jaeger" ignored/);
  });

  it('reads usable values as before, without warnings', () => {
    const resolved = load({
      OTEL_TRACES_SAMPLER: 'ALWAYS_ON',
      OTEL_TRACES_SAMPLER_ARG: '1',
      OTEL_SDK_DISABLED: 'FALSE',
      OTEL_PROPAGATORS: 'b3',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
    });
    assert.deepEqual(resolved.warnings, []);
    assert.equal(resolved.config.opentelemetry.sampling.strategy, 'always_on');
    assert.equal(resolved.config.opentelemetry.enabled, true);
    assert.deepEqual(resolved.config.opentelemetry.propagation, ['b3']);
    assert.equal(resolved.config.opentelemetry.exporter.compression, 'gzip');
    assert.equal(resolved.config.opentelemetry.limits.attribute_value_length, 5);
  });

  it('does not read an OTEL_* variable whose key a GREY_* variable sets', () => {
    const resolved = load({ GREY_OTEL_SAMPLING_RATIO: '0.5', OTEL_TRACES_SAMPLER_ARG: 'abc' });
    assert.equal(resolved.config.opentelemetry.sampling.ratio, 0.5);
    assert.deepEqual(resolved.warnings, []);
  });

  it('keeps GREY_* variables strict next to an ignored OTEL_* one', () => {
    let caught: unknown;
    try {
      load({ GREY_OTEL_SAMPLING_STRATEGY: 'xray', OTEL_TRACES_SAMPLER_ARG: 'abc' });
    } catch (error) {
      caught = error;
    }
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_ENV_INVALID'), String(caught));
    assert.equal(caught.key, 'opentelemetry.sampling.strategy');
  });

  it('quotes a huge value to about 200 characters', () => {
    const resolved = load({ OTEL_TRACES_SAMPLER: 'x'.repeat(300_000) });
    const [warning] = resolved.warnings;
    assert.ok(warning);
    assert.ok(warning.value.length <= 201, String(warning.value.length));
    assert.ok(warning.message.length < 1000, String(warning.message.length));
  });

  it('hides the password of an endpoint URL it cannot use', () => {
    const resolved = load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:pw-s3cret@collector:21' });
    assert.equal(resolved.warnings.length, 1);
    assert.ok(!JSON.stringify(resolved.warnings).includes('pw-s3cret'), resolved.warnings[0]?.message);
  });
});
