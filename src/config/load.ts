import { isObservabilityError, ObservabilityError, quoteText } from '../errors.js';
import { locateConfigFile, readConfigFile } from './config-file.js';
import { createStore, joinProblems } from './convict-store.js';
import { getPath, schemaDefaults, setPath } from './defaults.js';
import { readEnvLayer } from './env-layer.js';
import { flattenToLayer, type ConfigLayer } from './layer.js';
import type { IgnoredVariable } from './otel-env.js';
import { listSchemaLeaves, type SchemaLeaf } from './schema.js';
import { substituteEnv, type Substitutions } from './substitute.js';
import { typeSubstitutedEntries } from './typed-substitution.js';
import type { ConfigOverrides, ConfigSource, ObservabilityConfig } from './types.js';

/** Where the config comes from. Every field is optional. */
export interface LoadConfigOptions {
  /** Config file path; beats GREY_OBSERVABILITY_CONFIG and the files in the working directory. */
  configFile?: string;
  /** Code overrides: the highest precedence. */
  overrides?: ConfigOverrides;
  /** Environment to read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Directory in which relative paths and observability.yaml are looked up (default: process.cwd()). */
  cwd?: string;
}

/** Where one effective value came from. */
export interface ValueSource {
  source: ConfigSource;
  /** The file path, the environment variable, `options.overrides`, or `schema` for defaults. */
  origin: string;
}

/**
 * A standard `OTEL_*` variable that was set but could not be used, so it was ignored (OpenTelemetry
 * specification: warn, and ignore that one setting). `initObservability()` logs it through the
 * service's logger; `check-config` prints it.
 */
export interface ConfigWarning {
  code: 'OBS_WARN_CONFIG_ENV_IGNORED';
  /** The variable, e.g. `OTEL_TRACES_SAMPLER`. */
  variable: string;
  /** The config key it feeds, e.g. `opentelemetry.sampling.strategy`. */
  key: string;
  /** Its text as it may be printed: `[REDACTED]` for a secret key (headers), at most ~200 characters. */
  value: string;
  /** What the variable can take. */
  expected: string;
  /** The warning in one line: variable, value, expectation, and what applies instead. */
  message: string;
}

/** The effective config, the source of every key, the file used (if any) and the warnings. */
export interface ResolvedConfig {
  config: ObservabilityConfig;
  sources: Record<string, ValueSource>;
  file: string | undefined;
  /** The standard `OTEL_*` variables that were ignored, one warning each (empty when none). */
  warnings: ConfigWarning[];
}

/**
 * Resolves the config: schema defaults < file < environment < code overrides. Throws an
 * ObservabilityError (stable code; message names file, key, redacted value, expectation) on bad input.
 * A standard `OTEL_*` variable that cannot be used is no error: it is ignored, its key keeps the
 * value of the lower layers, and `warnings` says so (the `GREY_*` variables stay strict).
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  return resolveConfig(options, undefined);
}

/** The section {@link loadConfigWithoutTracing} can set aside. */
const TRACING_SECTION = 'opentelemetry';

/** What {@link loadConfigWithoutTracing} resolved. */
export interface TracingSetAside {
  resolved: ResolvedConfig;
  /** Why tracing is off: the error loadConfig() threw, naming every problem. */
  setAside?: ObservabilityError;
}

/**
 * As {@link loadConfig}; but when its error names problems of the `opentelemetry` section only,
 * the config is resolved once more without that section (its keys keep their defaults) and with
 * tracing off, and the error is returned as `setAside`. For `--import register`, where telemetry
 * that can start does (metrics and logs), whatever else is wrong. Any other error is thrown.
 */
export function loadConfigWithoutTracing(options: LoadConfigOptions = {}): TracingSetAside {
  try {
    return { resolved: loadConfig(options) };
  } catch (error) {
    if (!isObservabilityError(error)) throw error;
    let resolved: ResolvedConfig;
    try {
      resolved = resolveConfig(options, TRACING_SECTION);
    } catch {
      // Problems outside the section too: the first error names them all.
      throw error;
    }
    resolved.config.opentelemetry.enabled = false;
    resolved.sources['opentelemetry.enabled'] = {
      source: 'override',
      origin: '--import register (the opentelemetry section is invalid)',
    };
    return { resolved, setAside: error };
  }
}

function inSection(key: string | undefined, section: string): boolean {
  return key !== undefined && (key === section || key.startsWith(`${section}.`) || key.startsWith(`${section}[`));
}

/** Drops what `layer` sets or finds wrong under `section` (see {@link loadConfigWithoutTracing}). */
function withoutSection(layer: ConfigLayer, section: string | undefined): ConfigLayer {
  if (section === undefined) return layer;
  const problems = layer.problems?.filter((problem) => !inSection(problem.key, section));
  return {
    ...layer,
    entries: layer.entries.filter((entry) => !inSection(entry.key, section)),
    problems: problems === undefined || problems.length === 0 ? undefined : problems,
  };
}

function resolveConfig(options: LoadConfigOptions, setAside: string | undefined): ResolvedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const located = locateConfigFile(options.configFile, env, cwd);
  const leaves = new Map(listSchemaLeaves().map(({ key, leaf }) => [key, leaf]));
  const layers: ConfigLayer[] = [];
  if (located !== undefined) {
    const substitutions: Substitutions = new Map();
    const unset: ObservabilityError[] = [];
    const tree = substituteEnv(readConfigFile(located.path), env, located.path, '', substitutions, unset);
    const fileLayer = flattenToLayer(tree as Record<string, unknown>, 'file', located.path, located.path);
    withUnsetVariables(fileLayer, unset);
    typeSubstitutedEntries(fileLayer, substitutions, leaves);
    layers.push(fileLayer);
  }
  const envLayer = readEnvLayer(env);
  layers.push({ source: 'env', entries: envLayer.entries });
  if (
    options.overrides !== undefined &&
    (options.overrides === null || typeof options.overrides !== 'object' || Array.isArray(options.overrides))
  ) {
    throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', 'options.overrides is not an object', {
      key: 'overrides',
      value: options.overrides,
      expected: 'an object shaped like the config file, e.g. { prometheus: { port: 9464 } }',
    });
  }
  if (options.overrides !== undefined) {
    layers.push(flattenToLayer(options.overrides as Record<string, unknown>, 'override', 'options.overrides'));
  }

  const store = createStore();
  const merged = schemaDefaults() as unknown as Record<string, unknown>;
  const sources: Record<string, ValueSource> = {};
  for (const key of leaves.keys()) sources[key] = { source: 'default', origin: 'schema' };
  // Every layer is checked, so that one error names the problems of the file, the environment and
  // the overrides (in that order; in each, unknown keys and sections given as values first).
  const problems: ObservabilityError[] = [];
  for (const layer of layers.map((l) => withoutSection(l, setAside))) {
    try {
      store.check(layer);
    } catch (error) {
      if (!isObservabilityError(error)) throw error;
      problems.push(error);
      continue;
    }
    for (const entry of layer.entries) {
      const leaf = leaves.get(entry.key) as SchemaLeaf;
      const current = getPath(merged, entry.key);
      const source: ValueSource = { source: layer.source, origin: entry.origin };
      if (leaf.format.kind === 'string-map') {
        const values = stringifyValues(entry.value);
        setPath(merged, entry.key, { ...(current as object), ...values });
        for (const name of Object.keys(values)) sources[mapEntryKey(entry.key, name)] = source;
      } else {
        setPath(merged, entry.key, entry.value);
      }
      sources[entry.key] = source;
    }
  }
  if (problems.length > 0) throw joinProblems(problems);
  const config = merged as unknown as ObservabilityConfig;
  applyGenericOtlpEndpoint(config, sources);
  deriveServiceIdentity(config, sources);
  checkConsistency(config, sources);
  const warnings = envLayer.ignored.map((ignored) => describeIgnored(ignored, sources));
  return { config: store.finish(config), sources, file: located?.path, warnings };
}

/** The warning for a standard variable that was ignored, saying what applies instead. */
function describeIgnored(ignored: IgnoredVariable, sources: Record<string, ValueSource>): ConfigWarning {
  const { variable, key, value, expected } = ignored;
  const source = sources[key] ?? { source: 'default', origin: 'schema' };
  const shown = `environment variable ${variable}=${quoteText(value)}`;
  const message =
    ignored.ignoredItems !== undefined
      ? `${shown}: ${ignored.ignoredItems.map((item) => JSON.stringify(item)).join(', ')} ignored (expected ${expected}); ${key} takes the other items`
      : `${shown} cannot be used for ${key} and is ignored (expected ${expected}); ${key} keeps ${describeSource(source)}`;
  return { code: 'OBS_WARN_CONFIG_ENV_IGNORED', variable, key, value, expected, message };
}

function describeSource(source: ValueSource): string {
  switch (source.source) {
    case 'default':
      return 'its default';
    case 'file':
      return `its value from the config file ${source.origin}`;
    case 'env':
      return `the value of ${source.origin}`;
    case 'override':
      return `its value from ${source.origin}`;
  }
}

/**
 * Unset `${VAR}` references of the file are problems of the file layer, after its unknown keys: the
 * entries that hold one are left out, so that they are not also reported as invalid values.
 */
function withUnsetVariables(layer: ConfigLayer, unset: readonly ObservabilityError[]): void {
  if (unset.length === 0) return;
  const holds = (entry: string, key: string): boolean =>
    key === entry || key.startsWith(`${entry}.`) || key.startsWith(`${entry}[`);
  layer.entries = layer.entries.filter((entry) => !unset.some((error) => holds(entry.key, error.key ?? '')));
  layer.problems = [...(layer.problems ?? []), ...unset];
}

/** The `sources` key of one entry of a map-valued key: `opentelemetry.resource["service.name"]`. */
export function mapEntryKey(key: string, name: string): string {
  return `${key}[${JSON.stringify(name)}]`;
}

function stringifyValues(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: for http/protobuf the SDK convention is to append
 * /v1/traces to its path (http://gw:4318/otlp -> http://gw:4318/otlp/v1/traces), whereas a
 * traces-specific endpoint (the file, GREY_*, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is used as given.
 */
function applyGenericOtlpEndpoint(config: ObservabilityConfig, sources: Record<string, ValueSource>): void {
  const exporter = config.opentelemetry.exporter;
  if (sources['opentelemetry.exporter.endpoint']?.origin !== 'OTEL_EXPORTER_OTLP_ENDPOINT') return;
  if (exporter.protocol !== 'http/protobuf') return;
  const url = new URL(exporter.endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  exporter.endpoint = url.toString();
}

const PRECEDENCE: Record<ConfigSource, number> = { default: 0, file: 1, env: 2, override: 3 };

const IDENTITY_ATTRIBUTES = [
  ['service.name', 'service.name'],
  ['service.version', 'service.version'],
  ['service.environment', 'deployment.environment'],
  ['service.instance_id', 'service.instance.id'],
] as const;

/**
 * The service identity can be written in the service section or as resource attributes (the
 * spec's `resource: service.name: ...`). The one set by the higher-precedence source wins (the
 * service section on a tie), and both places then hold it, so there is one truth.
 */
function deriveServiceIdentity(config: ObservabilityConfig, sources: Record<string, ValueSource>): void {
  for (const [serviceKey, attribute] of IDENTITY_ATTRIBUTES) {
    const fromResource = config.opentelemetry.resource[attribute];
    const resourceKey = mapEntryKey('opentelemetry.resource', attribute);
    const resourceSource = sources[resourceKey] ?? { source: 'default', origin: 'schema' };
    const serviceSource = sources[serviceKey] as ValueSource;
    const field = serviceKey.slice('service.'.length) as keyof ObservabilityConfig['service'];
    if (fromResource !== undefined && PRECEDENCE[resourceSource.source] > PRECEDENCE[serviceSource.source]) {
      config.service[field] = fromResource;
      sources[serviceKey] = { ...resourceSource, origin: `${resourceSource.origin} (${resourceKey})` };
    }
    if (config.service[field] !== '' && config.opentelemetry.resource[attribute] !== config.service[field]) {
      config.opentelemetry.resource[attribute] = config.service[field];
      sources[resourceKey] = {
        ...(sources[serviceKey] as ValueSource),
        origin: `${(sources[serviceKey] as ValueSource).origin} (${serviceKey})`,
      };
    }
  }
  if (config.service.name.trim() === '') {
    throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', 'service name is empty', {
      key: 'service.name',
      value: config.service.name,
      expected: 'a non-empty string',
    });
  }
}

function checkConsistency(config: ObservabilityConfig, sources: Record<string, ValueSource>): void {
  const auth = config.prometheus.auth;
  const need = (key: string, present: boolean, why: string): void => {
    if (present) return;
    const fromFile = [key, 'prometheus.auth.type'].map((k) => sources[k]).find((s) => s?.source === 'file');
    throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', `${key} is required ${why}`, {
      file: fromFile?.origin,
      key,
      value: '',
      expected: `a non-empty value, or prometheus.auth.type other than "${auth.type}"`,
    });
  };
  if (auth.type === 'bearer') need('prometheus.auth.token', auth.token !== '', 'when prometheus.auth.type is bearer');
  if (auth.type === 'basic') {
    need('prometheus.auth.username', auth.username !== '', 'when prometheus.auth.type is basic');
    need('prometheus.auth.password', auth.password !== '', 'when prometheus.auth.type is basic');
  }
}
