import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { listSchemaLeaves } from '../../src/config/schema.js';
import type { ObservabilityConfig } from '../../src/config/types.js';
import { isObservabilityError, type ErrorCode } from '../../src/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const SPEC_YAML = `
prometheus:
  enabled: true
  port: 9090
  path: /metrics
  include_tenant_labels: true
  latency_buckets:
    - 0.001  # 1ms
    - 0.005  # 5ms
    - 0.01   # 10ms
    - 0.05   # 50ms
    - 0.1    # 100ms
    - 0.5    # 500ms
    - 1.0    # 1s
    - 5.0    # 5s
opentelemetry:
  enabled: true
  exporter:
    protocol: grpc  # or http/protobuf
    endpoint: http://otel-collector:4317
    headers:
      Authorization: "Bearer \${OTEL_TOKEN}"
  sampling:
    strategy: parent_based_traceid_ratio
    ratio: 0.1  # Sample 10% of traces
    always_sample:
      - error=true
      - priority=critical
  resource:
    service.name: grey-distributed
    service.version: 1.5.0
    deployment.environment: production
  propagation:
    - tracecontext  # W3C Trace Context
    - baggage       # W3C Baggage
`;

let dir: TempDir;
before(() => {
  dir = createTempDir();
});
after(() => dir.remove());

describe('loadConfig', () => {
  it('starts from the schema defaults when there is no file', () => {
    const empty = createTempDir();
    try {
      const { config, file, sources } = loadConfig({ cwd: empty.path, env: {} });
      assert.equal(file, undefined);
      assert.equal(config.prometheus.port, 9090);
      assert.equal(config.prometheus.path, '/metrics');
      assert.deepEqual(config.opentelemetry.propagation, ['tracecontext', 'baggage']);
      for (const { key } of listSchemaLeaves()) assert.equal(sources[key]?.source, 'default', key);
    } finally {
      empty.remove();
    }
  });

  it('reads the spec YAML block as it is written, with ${OTEL_TOKEN} replaced', () => {
    const file = dir.write('spec.yaml', SPEC_YAML);
    const { config } = loadConfig({ configFile: file, env: { OTEL_TOKEN: 'tok-123' } });
    assert.equal(config.opentelemetry.exporter.headers.Authorization, 'Bearer tok-123');
    assert.equal(config.opentelemetry.exporter.endpoint, 'http://otel-collector:4317');
    assert.deepEqual(config.opentelemetry.sampling.always_sample, ['error=true', 'priority=critical']);
    assert.deepEqual(config.prometheus.latency_buckets, [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]);
    assert.equal(config.service.name, 'grey-distributed');
    assert.equal(config.service.version, '1.5.0');
    assert.equal(config.service.environment, 'production');
  });

  it('finds observability.yaml, then .yml, then .json in the working directory', () => {
    for (const name of ['observability.yaml', 'observability.yml', 'observability.json']) {
      const cwd = createTempDir();
      try {
        const text = name.endsWith('.json') ? '{"prometheus":{"port":9101}}' : 'prometheus:\n  port: 9101\n';
        cwd.write(name, text);
        const { config, file } = loadConfig({ cwd: cwd.path, env: {} });
        assert.equal(config.prometheus.port, 9101, name);
        assert.ok(file?.endsWith(name));
      } finally {
        cwd.remove();
      }
    }
  });

  it('prefers options.configFile over GREY_OBSERVABILITY_CONFIG over the working directory', () => {
    const cwd = createTempDir();
    try {
      cwd.write('observability.yaml', 'prometheus:\n  port: 9001\n');
      const fromEnv = cwd.write('env.yaml', 'prometheus:\n  port: 9002\n');
      const fromOption = cwd.write('option.yaml', 'prometheus:\n  port: 9003\n');
      assert.equal(loadConfig({ cwd: cwd.path, env: {} }).config.prometheus.port, 9001);
      assert.equal(
        loadConfig({ cwd: cwd.path, env: { GREY_OBSERVABILITY_CONFIG: fromEnv } }).config.prometheus.port,
        9002,
      );
      assert.equal(
        loadConfig({ cwd: cwd.path, configFile: fromOption, env: { GREY_OBSERVABILITY_CONFIG: fromEnv } }).config
          .prometheus.port,
        9003,
      );
    } finally {
      cwd.remove();
    }
  });

  it('applies defaults < file < environment < overrides and reports each source', () => {
    const file = dir.write(
      'precedence.yaml',
      'prometheus:\n  port: 9001\n  path: /from-file\nlogging:\n  level: debug\n',
    );
    const { config, sources } = loadConfig({
      configFile: file,
      env: { GREY_PROMETHEUS_PORT: '9002', GREY_LOG_LEVEL: 'warn' },
      overrides: { prometheus: { port: 9003 } },
    });
    assert.equal(config.prometheus.port, 9003);
    assert.deepEqual(sources['prometheus.port'], { source: 'override', origin: 'options.overrides' });
    assert.equal(config.logging.level, 'warn');
    assert.deepEqual(sources['logging.level'], { source: 'env', origin: 'GREY_LOG_LEVEL' });
    assert.equal(config.prometheus.path, '/from-file');
    assert.deepEqual(sources['prometheus.path'], { source: 'file', origin: file });
    assert.equal(config.prometheus.host, '0.0.0.0');
    assert.equal(sources['prometheus.host']?.source, 'default');
  });

  it('maps the standard OTEL_* variables onto their keys', () => {
    const { config, sources } = loadConfig({
      cwd: dir.path,
      env: {
        OTEL_SDK_DISABLED: 'true',
        OTEL_SERVICE_NAME: 'checkout',
        OTEL_RESOURCE_ATTRIBUTES: 'team=payments,region=eu%2Dwest',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc,x-team=pay',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_PROPAGATORS: 'tracecontext,baggage,b3',
      },
    });
    assert.equal(config.opentelemetry.enabled, false);
    assert.equal(config.service.name, 'checkout');
    assert.equal(config.opentelemetry.resource['service.name'], 'checkout');
    assert.equal(config.opentelemetry.resource.team, 'payments');
    assert.equal(config.opentelemetry.resource.region, 'eu-west');
    assert.equal(config.opentelemetry.exporter.endpoint, 'http://collector:4318/v1/traces');
    assert.equal(config.opentelemetry.exporter.protocol, 'http/protobuf');
    assert.deepEqual(config.opentelemetry.exporter.headers, { 'x-api-key': 'abc', 'x-team': 'pay' });
    assert.equal(config.opentelemetry.sampling.strategy, 'parent_based_traceid_ratio');
    assert.equal(config.opentelemetry.sampling.ratio, 0.25);
    assert.deepEqual(config.opentelemetry.propagation, ['tracecontext', 'baggage', 'b3']);
    assert.deepEqual(sources['service.name'], { source: 'env', origin: 'OTEL_SERVICE_NAME' });
    assert.deepEqual(sources['opentelemetry.sampling.ratio'], { source: 'env', origin: 'OTEL_TRACES_SAMPLER_ARG' });
  });

  it('lets a GREY_* variable beat the OTEL_* variable of the same key, and signal-specific OTEL vars beat generic ones', () => {
    const { config } = loadConfig({
      cwd: dir.path,
      env: {
        OTEL_SERVICE_NAME: 'from-otel',
        GREY_SERVICE_NAME: 'from-grey',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4317',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4317',
      },
    });
    assert.equal(config.service.name, 'from-grey');
    assert.equal(config.opentelemetry.exporter.endpoint, 'http://traces:4317');
  });

  it('leaves OTEL_SDK_DISABLED=false without effect', () => {
    const { config } = loadConfig({ cwd: dir.path, env: { OTEL_SDK_DISABLED: 'false' } });
    assert.equal(config.opentelemetry.enabled, true);
  });

  it('merges resource attributes and headers from file, environment and overrides by name', () => {
    const file = dir.write('maps.yaml', 'opentelemetry:\n  resource:\n    team: core\n    tier: gold\n');
    const { config } = loadConfig({
      configFile: file,
      env: { OTEL_RESOURCE_ATTRIBUTES: 'tier=silver,zone=a' },
      overrides: { opentelemetry: { resource: { zone: 'b' } } },
    });
    assert.equal(config.opentelemetry.resource.team, 'core');
    assert.equal(config.opentelemetry.resource.tier, 'silver');
    assert.equal(config.opentelemetry.resource.zone, 'b');
  });

  it('parses list, number and boolean variables', () => {
    const { config } = loadConfig({
      cwd: dir.path,
      env: {
        GREY_PROMETHEUS_LATENCY_BUCKETS: '0.01, 0.1,1',
        GREY_TENANCY_ALLOWLIST: '["acme","globex"]',
        GREY_PROMETHEUS_ENABLED: 'false',
        GREY_OTEL_SAMPLING_ALWAYS_SAMPLE: 'tee.platform=*',
      },
    });
    assert.deepEqual(config.prometheus.latency_buckets, [0.01, 0.1, 1]);
    assert.deepEqual(config.tenancy.allowlist, ['acme', 'globex']);
    assert.equal(config.prometheus.enabled, false);
    assert.deepEqual(config.opentelemetry.sampling.always_sample, ['tee.platform=*']);
  });

  it('takes an empty ${VAR} as it is, while ${VAR:-default} treats empty as unset', () => {
    const file = dir.write('empty.yaml', 'service:\n  version: "v${EMPTY}"\n  environment: "${EMPTY:-dev}"\n');
    const { config } = loadConfig({ configFile: file, env: { EMPTY: '' } });
    assert.equal(config.service.version, 'v');
    assert.equal(config.service.environment, 'dev');
  });

  it('appends /v1/traces to the path of the generic OTEL_EXPORTER_OTLP_ENDPOINT for http/protobuf only', () => {
    const http = loadConfig({
      cwd: dir.path,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://gw:4318/otlp/', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
    });
    assert.equal(http.config.opentelemetry.exporter.endpoint, 'http://gw:4318/otlp/v1/traces');
    const specific = loadConfig({
      cwd: dir.path,
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://gw:4318/custom',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      },
    });
    assert.equal(specific.config.opentelemetry.exporter.endpoint, 'http://gw:4318/custom');
    const grpc = loadConfig({ cwd: dir.path, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://gw:4317' } });
    assert.equal(grpc.config.opentelemetry.exporter.endpoint, 'http://gw:4317');
  });

  it('ignores a section given as undefined in the overrides', () => {
    const { config } = loadConfig({ cwd: dir.path, env: {}, overrides: { prometheus: undefined } });
    assert.equal(config.prometheus.port, 9090);
  });

  it('uses ${VAR:-default} when VAR is unset and keeps $${VAR} literal', () => {
    const file = dir.write(
      'defaults.yaml',
      'service:\n  name: "${SVC:-fallback-name}"\n  version: "$${NOT_REPLACED}"\n',
    );
    const { config } = loadConfig({ configFile: file, env: {} });
    assert.equal(config.service.name, 'fallback-name');
    assert.equal(config.service.version, '${NOT_REPLACED}');
  });
});

interface BadCase {
  name: string;
  file?: string;
  fileName?: string;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
  code: ErrorCode;
  mentions: string[];
  secret?: string;
}

const BAD_CONFIGS: BadCase[] = [
  {
    name: 'wrong type',
    file: 'prometheus:\n  port: "nine"\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.port', '"nine"', 'an integer from 0 to 65535'],
  },
  {
    name: 'unknown key',
    file: 'prometheus:\n  prot: 9090\n',
    code: 'OBS_ERR_CONFIG_UNKNOWN_KEY',
    mentions: ['prometheus.prot', 'prometheus.port'],
  },
  {
    name: 'unknown top-level section',
    file: 'tracing:\n  enabled: true\n',
    code: 'OBS_ERR_CONFIG_UNKNOWN_KEY',
    mentions: ['"tracing"', 'opentelemetry'],
  },
  {
    name: 'ratio out of [0,1]',
    file: 'opentelemetry:\n  sampling:\n    ratio: 1.5\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.sampling.ratio', '1.5', 'a number from 0 to 1'],
  },
  {
    name: 'port out of range',
    file: 'prometheus:\n  port: 70000\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.port', '70000'],
  },
  {
    name: 'bad protocol',
    file: 'opentelemetry:\n  exporter:\n    protocol: http/json\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.exporter.protocol', '"http/json"', '"grpc", "http/protobuf"'],
  },
  {
    name: 'unparsable YAML',
    file: 'prometheus:\n  port: 9090\n   path: /x\n',
    code: 'OBS_ERR_CONFIG_PARSE',
    mentions: ['not valid YAML', 'line 2'],
  },
  {
    name: 'duplicate YAML key',
    file: 'prometheus:\n  port: 1\n  port: 2\n',
    code: 'OBS_ERR_CONFIG_PARSE',
    mentions: ['not valid YAML'],
  },
  {
    name: 'unparsable JSON',
    file: '{"prometheus": ',
    fileName: 'bad.json',
    code: 'OBS_ERR_CONFIG_PARSE',
    mentions: ['not valid JSON'],
  },
  {
    name: 'JSON nested 100,000 levels deep (would overflow every recursive walk)',
    file: `{"opentelemetry":{"resource":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`,
    fileName: 'deep.json',
    code: 'OBS_ERR_CONFIG_PARSE',
    mentions: ['nests deeper than 32 levels'],
  },
  {
    name: 'explicit file not found',
    configFile: '/nonexistent/observability.yaml',
    code: 'OBS_ERR_CONFIG_FILE_NOT_FOUND',
    mentions: ['/nonexistent/observability.yaml', 'configFile option'],
  },
  {
    name: 'file from GREY_OBSERVABILITY_CONFIG not found',
    env: { GREY_OBSERVABILITY_CONFIG: '/nonexistent/from-env.yaml' },
    code: 'OBS_ERR_CONFIG_FILE_NOT_FOUND',
    mentions: ['/nonexistent/from-env.yaml', 'GREY_OBSERVABILITY_CONFIG'],
  },
  {
    name: 'unset variable in ${...}',
    file: 'opentelemetry:\n  exporter:\n    headers:\n      Authorization: "Bearer ${OTEL_TOKEN}"\n',
    code: 'OBS_ERR_CONFIG_ENV_UNSET',
    mentions: ['OTEL_TOKEN', 'opentelemetry.exporter.headers.Authorization'],
  },
  {
    name: 'a section given as a scalar',
    file: 'prometheus: true\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['"prometheus" is a section'],
  },
  {
    name: 'top level is a list',
    file: '- a\n- b\n',
    code: 'OBS_ERR_CONFIG_PARSE',
    mentions: ['mapping'],
  },
  {
    name: 'bad sampling rule',
    file: 'opentelemetry:\n  sampling:\n    always_sample: ["error"]\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.sampling.always_sample', 'key=value'],
  },
  {
    name: 'buckets not increasing',
    file: 'prometheus:\n  latency_buckets: [1, 0.5]\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.latency_buckets', 'strictly increasing'],
  },
  {
    name: 'bad environment variable',
    env: { GREY_PROMETHEUS_PORT: 'abc' },
    code: 'OBS_ERR_CONFIG_ENV_INVALID',
    mentions: ['GREY_PROMETHEUS_PORT', 'prometheus.port', 'an integer from 0 to 65535'],
  },
  {
    name: 'a GREY_* value out of range (GREY_* variables stay strict)',
    env: { GREY_OTEL_SAMPLING_RATIO: '7' },
    code: 'OBS_ERR_CONFIG_ENV_INVALID',
    mentions: ['GREY_OTEL_SAMPLING_RATIO', 'opentelemetry.sampling.ratio', 'a number from 0 to 1'],
  },
  {
    name: 'an unsupported sampler in GREY_OTEL_SAMPLING_STRATEGY',
    env: { GREY_OTEL_SAMPLING_STRATEGY: 'xray' },
    code: 'OBS_ERR_CONFIG_ENV_INVALID',
    mentions: ['GREY_OTEL_SAMPLING_STRATEGY', '"xray"'],
  },
  {
    name: 'an unsupported sampler in the file, even with a usable OTEL_TRACES_SAMPLER',
    file: 'opentelemetry:\n  sampling:\n    strategy: xray\n',
    env: { OTEL_TRACES_SAMPLER: 'always_on' },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.sampling.strategy', '"xray"'],
  },
  {
    name: 'bad override',
    overrides: { logging: { level: 'loud' } },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['logging.level', 'options.overrides', '"loud"'],
  },
  {
    name: 'overrides that are not an object',
    overrides: null as never,
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['options.overrides is not an object'],
  },
  {
    name: 'a header value with a line break, redacted',
    file: 'opentelemetry:\n  exporter:\n    headers:\n      Authorization: "Bearer s3cr3t-TOKEN\\n"\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.exporter.headers', 'control characters', '[REDACTED]'],
    secret: 's3cr3t-TOKEN',
  },
  {
    name: 'an unparsable endpoint with a password, redacted',
    file: 'opentelemetry:\n  exporter:\n    endpoint: "http://user:hunter2pass@otel:4317 bad"\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.exporter.endpoint', 'http://[REDACTED]:[REDACTED]@otel'],
    secret: 'hunter2pass',
  },
  {
    name: 'unknown override key',
    overrides: { prometheus: { portt: 1 } },
    code: 'OBS_ERR_CONFIG_UNKNOWN_KEY',
    mentions: ['prometheus.portt'],
  },
  {
    name: 'bearer auth without a token',
    file: 'prometheus:\n  auth:\n    type: bearer\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.auth.token'],
  },
  {
    name: 'a secret with the wrong type is redacted',
    file: 'prometheus:\n  auth:\n    type: bearer\n    token: [hunter2-secret]\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.auth.token', '[REDACTED]'],
    secret: 'hunter2-secret',
  },
  {
    name: 'a secret header with the wrong type is redacted',
    file: 'opentelemetry:\n  exporter:\n    headers:\n      Authorization: [Bearer-topsecret]\n',
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.exporter.headers', '[REDACTED]'],
    secret: 'topsecret',
  },
  {
    name: 'a substituted port that is not a number',
    file: 'prometheus:\n  port: ${METRICS_PORT:-9464}\n',
    env: { METRICS_PORT: 'abc' },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.port', 'METRICS_PORT', '"abc"', 'an integer from 0 to 65535'],
  },
  {
    name: 'a substituted port out of range',
    file: 'prometheus:\n  port: ${METRICS_PORT}\n',
    env: { METRICS_PORT: '70000' },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.port', 'METRICS_PORT', '70000', 'an integer from 0 to 65535'],
  },
  {
    name: 'a substituted boolean that is not one',
    file: 'prometheus:\n  enabled: ${PROM_ON}\n',
    env: { PROM_ON: 'yes please' },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.enabled', 'PROM_ON', 'true or false'],
  },
  {
    name: 'a substituted bucket bound that is not a number',
    file: 'prometheus:\n  latency_buckets: ["${LOW}", 1]\n',
    env: { LOW: 'fast' },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.latency_buckets', 'LOW'],
  },
  {
    name: 'a substituted sampling ratio out of range',
    file: 'opentelemetry:\n  sampling:\n    ratio: ${RATIO}\n',
    env: { RATIO: '1.5' },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['opentelemetry.sampling.ratio', 'RATIO', 'a number from 0 to 1'],
  },
  {
    name: 'a substituted secret of the wrong kind, redacted',
    file: 'prometheus:\n  auth:\n    type: ${AUTH_TYPE}\n    token: ${TOKEN}\n',
    env: { AUTH_TYPE: 'bearer', TOKEN: '' },
    code: 'OBS_ERR_CONFIG_INVALID',
    mentions: ['prometheus.auth.token'],
  },
];

describe('loadConfig types ${VAR} substitutions by their key', () => {
  const load = (yaml: string, env: NodeJS.ProcessEnv) =>
    loadConfig({ configFile: dir.write(`typed-${Math.abs(hash(yaml + JSON.stringify(env)))}.yaml`, yaml), env });

  it('reads port: ${METRICS_PORT:-9464} as the number 9464, and 9555 from METRICS_PORT', () => {
    const yaml = 'prometheus:\n  port: ${METRICS_PORT:-9464}\n';
    assert.strictEqual(load(yaml, {}).config.prometheus.port, 9464);
    assert.strictEqual(load(yaml, { METRICS_PORT: '9555' }).config.prometheus.port, 9555);
    assert.strictEqual(
      loadConfig({ cwd: dir.path, env: { GREY_PROMETHEUS_PORT: '9555' } }).config.prometheus.port,
      9555,
    );
  });

  const cases: Array<[string, string, NodeJS.ProcessEnv, (c: ObservabilityConfig) => unknown, unknown]> = [
    ['a boolean', 'prometheus:\n  enabled: ${ON}\n', { ON: 'false' }, (c) => c.prometheus.enabled, false],
    [
      'a number',
      'opentelemetry:\n  sampling:\n    ratio: ${R:-0.25}\n',
      {},
      (c) => c.opentelemetry.sampling.ratio,
      0.25,
    ],
    [
      'an integer inside text',
      'opentelemetry:\n  exporter:\n    timeout_ms: "${SECONDS}000"\n',
      { SECONDS: '3' },
      (c) => c.opentelemetry.exporter.timeout_ms,
      3000,
    ],
    [
      'a list of numbers',
      'prometheus:\n  latency_buckets: ${BUCKETS}\n',
      { BUCKETS: '0.1, 1' },
      (c) => c.prometheus.latency_buckets,
      [0.1, 1],
    ],
    [
      'list items one by one',
      'prometheus:\n  latency_buckets:\n    - ${LOW:-0.5}\n    - 5\n',
      {},
      (c) => c.prometheus.latency_buckets,
      [0.5, 5],
    ],
    [
      'a list of strings',
      'opentelemetry:\n  propagation: ${PROPS:-tracecontext,b3}\n',
      {},
      (c) => c.opentelemetry.propagation,
      ['tracecontext', 'b3'],
    ],
    [
      'a map',
      'opentelemetry:\n  exporter:\n    headers: ${HEADERS}\n',
      { HEADERS: 'x-api-key=abc123,x-team=core' },
      (c) => c.opentelemetry.exporter.headers,
      { 'x-api-key': 'abc123', 'x-team': 'core' },
    ],
    ['a string key left as text', 'service:\n  version: ${V}\n', { V: '1.0' }, (c) => c.service.version, '1.0'],
    ['an integer of the tenancy section', 'tenancy:\n  buckets: ${B}\n', { B: '64' }, (c) => c.tenancy.buckets, 64],
  ];
  for (const [what, yaml, env, read, expected] of cases) {
    it(`types ${what}`, () => {
      assert.deepStrictEqual(read(load(yaml, env).config), expected);
    });
  }
});

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h;
}

describe('loadConfig with bad input', () => {
  for (const bad of BAD_CONFIGS) {
    it(`rejects ${bad.name} with ${bad.code}`, () => {
      const file =
        bad.file === undefined
          ? undefined
          : dir.write(bad.fileName ?? `${bad.name.replace(/\W+/g, '-')}.yaml`, bad.file);
      let caught: unknown;
      try {
        loadConfig({
          cwd: dir.path,
          configFile: bad.configFile ?? file,
          env: bad.env ?? {},
          overrides: bad.overrides as never,
        });
      } catch (err) {
        caught = err;
      }
      assert.ok(isObservabilityError(caught), `expected an ObservabilityError, got ${String(caught)}`);
      assert.equal(caught.code, bad.code, caught.message);
      for (const text of bad.mentions)
        assert.ok(caught.message.includes(text), `message should mention ${text}:\n${caught.message}`);
      if (file !== undefined && bad.code !== 'OBS_ERR_CONFIG_FILE_NOT_FOUND') {
        assert.ok(caught.message.includes(file), `message should name the file:\n${caught.message}`);
      }
      if (bad.secret !== undefined) assert.ok(!caught.message.includes(bad.secret), 'the secret must not appear');
    });
  }
});

/** What loadConfig throws for `options` (undefined when it does not throw). */
function loadError(options: Parameters<typeof loadConfig>[0]): unknown {
  try {
    loadConfig(options);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('loadConfig reports every invalid value of a layer at once', () => {
  it('lists each invalid key of the file, a substituted one naming its variable, the first as the error itself', () => {
    const file = dir.write(
      'many-bad.yaml',
      'prometheus:\n  port: ${PORT}\n  path: nope\n  auth:\n    type: bearer\n    token: [s3cret-token-value]\n' +
        'opentelemetry:\n  sampling:\n    ratio: 7\n',
    );
    const caught = loadError({ cwd: dir.path, configFile: file, env: { PORT: 'not-a-port' } });
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_INVALID'), String(caught));
    assert.equal(caught.key, 'prometheus.port');
    assert.match(caught.message, /prometheus\.port substituted from environment variable PORT/);
    assert.deepEqual(
      caught.others.map((other) => other.key),
      ['prometheus.path', 'prometheus.auth.token', 'opentelemetry.sampling.ratio'],
    );
    assert.match(caught.message, /and 3 more problems:\n {2}- invalid value for prometheus\.path \(value "nope"/);
    assert.ok(!caught.message.includes('s3cret-token-value'), 'a secret stays redacted among the others');
  });

  it('names every unknown key and every invalid value of a file in one error, unknown keys first', () => {
    const file = dir.write(
      'unknown-and-bad.yaml',
      'prometheus:\n  prot: 9464\n  port: 99999\nlogging: debug\nopentelemetry:\n  sampler: always_on\n',
    );
    const caught = loadError({ cwd: dir.path, configFile: file, env: {} });
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_UNKNOWN_KEY'), String(caught));
    assert.equal(caught.key, 'prometheus.prot');
    assert.deepEqual(
      caught.others.map((other) => other.key),
      ['logging', 'opentelemetry.sampler', 'prometheus.port'],
    );
    assert.match(caught.message, /- unknown config key "opentelemetry\.sampler"/);
    assert.match(caught.message, /- "logging" is a section/);
  });

  it('names an unset ${VAR} with the other problems of the file and the environment, unknown keys first', () => {
    const file = dir.write(
      'all-at-once.yaml',
      'prometheus:\n  colour: red\n  port: 70000\n  auth:\n    type: bearer\n    token: s3cret-token-value\n    tokn: x\n' +
        'logging: verbose\nopentelemetry:\n  exporter:\n    endpoint: ${UNSET_ENDPOINT}\n    timeout_ms: ${NOT_A_NUMBER}\n' +
        '    headers:\n      Authorization: "Bearer ${UNSET_TOKEN}"\n  sampling:\n    ratio: 1.5\n',
    );
    let caught: unknown;
    try {
      loadConfig({
        cwd: dir.path,
        configFile: file,
        env: { NOT_A_NUMBER: 'abc', GREY_PROMETHEUS_PATH: 'no-slash', GREY_OTEL_SAMPLING_RATIO: '-2' },
      });
    } catch (err) {
      caught = err;
    }
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_UNKNOWN_KEY'), String(caught));
    assert.equal(caught.key, 'prometheus.colour');
    assert.deepEqual(
      caught.others.map((other) => other.key),
      [
        'prometheus.auth.tokn',
        'logging',
        'opentelemetry.exporter.endpoint',
        'opentelemetry.exporter.headers.Authorization',
        'prometheus.port',
        'opentelemetry.exporter.timeout_ms',
        'opentelemetry.sampling.ratio',
        'prometheus.path',
        'opentelemetry.sampling.ratio',
      ],
    );
    assert.match(caught.message, /- environment variable UNSET_ENDPOINT is not set/);
    assert.match(caught.message, /- environment variable UNSET_TOKEN is not set/);
    assert.match(caught.message, /- invalid value for prometheus\.path from environment variable GREY_PROMETHEUS_PATH/);
    assert.match(caught.message, /- invalid value for opentelemetry\.sampling\.ratio from environment variable/);
    assert.ok(!caught.message.includes('s3cret-token-value'), 'the token next to the mistakes stays redacted');
  });

  it('lists each invalid GREY_* variable, and stays a single problem when there is one', () => {
    const caught = loadError({ cwd: dir.path, env: { GREY_PROMETHEUS_PORT: 'abc', GREY_OTEL_SAMPLING_RATIO: '9' } });
    assert.ok(isObservabilityError(caught, 'OBS_ERR_CONFIG_ENV_INVALID'), String(caught));
    assert.match(caught.message, /GREY_PROMETHEUS_PORT/);
    assert.deepEqual(
      caught.others.map((other) => [other.key, other.value]),
      [['opentelemetry.sampling.ratio', 9]],
    );
    const single = loadError({ cwd: dir.path, env: { GREY_PROMETHEUS_PORT: 'abc' } });
    assert.ok(isObservabilityError(single));
    assert.deepEqual(single.others, []);
    assert.doesNotMatch(single.message, /more problem/);
  });
});
