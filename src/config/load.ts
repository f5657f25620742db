import convict from 'convict';
import { ObservabilityError } from '../errors.js';
import { locateConfigFile, readConfigFile } from './config-file.js';
import { getPath, schemaDefaults, setPath } from './defaults.js';
import { readEnvLayer } from './env-layer.js';
import { flattenToLayer, type ConfigLayer, type LayerEntry } from './layer.js';
import { collectSecrets, REDACTED, redactValue } from './redact.js';
import { configSchema, isSchemaLeaf, listSchemaLeaves, type SchemaLeaf } from './schema.js';
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

/** The effective config, the source of every key, and the file used (if any). */
export interface ResolvedConfig {
  config: ObservabilityConfig;
  sources: Record<string, ValueSource>;
  file: string | undefined;
}

/**
 * Resolves the config: schema defaults < file < environment < code overrides. Throws an
 * ObservabilityError (stable code; message names file, key, redacted value, expectation) on bad input.
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const located = locateConfigFile(options.configFile, env, cwd);
  const leaves = new Map(listSchemaLeaves().map(({ key, leaf }) => [key, leaf]));
  const layers: ConfigLayer[] = [];
  if (located !== undefined) {
    const substitutions: Substitutions = new Map();
    const tree = substituteEnv(readConfigFile(located.path), env, located.path, '', substitutions);
    const fileLayer = flattenToLayer(tree as Record<string, unknown>, 'file', located.path, located.path);
    typeSubstitutedEntries(fileLayer, substitutions, leaves);
    layers.push(fileLayer);
  }
  layers.push({ source: 'env', entries: readEnvLayer(env) });
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
  for (const layer of layers) {
    store.check(layer);
    for (const entry of layer.entries) {
      const leaf = leaves.get(entry.key) as SchemaLeaf;
      const current = getPath(merged, entry.key);
      const source: ValueSource = { source: layer.source, origin: entry.origin };
      if (isMap(leaf.default)) {
        const values = stringifyValues(entry.value);
        setPath(merged, entry.key, { ...(current as object), ...values });
        for (const name of Object.keys(values)) sources[mapEntryKey(entry.key, name)] = source;
      } else {
        setPath(merged, entry.key, entry.value);
      }
      sources[entry.key] = source;
    }
  }
  const config = merged as unknown as ObservabilityConfig;
  applyGenericOtlpEndpoint(config, sources);
  deriveServiceIdentity(config, sources);
  checkConsistency(config, sources);
  return { config: store.finish(config), sources, file: located?.path };
}

/** The `sources` key of one entry of a map-valued key: `opentelemetry.resource["service.name"]`. */
export function mapEntryKey(key: string, name: string): string {
  return `${key}[${JSON.stringify(name)}]`;
}

function isMap(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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

/** A failure of one key's format, as seen by convict's validation. */
interface FormatFailure {
  key: string;
  message: string;
}

/**
 * The convict store that validates each layer as it is loaded (file, then environment, then
 * overrides), so that an invalid value is reported with the source that set it. Each format is
 * wrapped to note which key failed; convict joins its failures into one message otherwise.
 * Free-form maps (headers, resource) hold dotted names such as service.name, which convict would
 * read as key paths: they are checked by their own format and kept outside the store.
 */
function createStore(): { check(layer: ConfigLayer): void; finish(config: ObservabilityConfig): ObservabilityConfig } {
  const failures: FormatFailure[] = [];
  const mapKeys = listSchemaLeaves()
    .filter(({ leaf }) => leaf.format.kind === 'string-map')
    .map(({ key }) => key);
  const wrap = (node: Record<string, unknown>, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(node).map(([name, child]) => {
        const key = prefix === '' ? name : `${prefix}.${name}`;
        if (!isSchemaLeaf(child)) return [name, wrap(child as Record<string, unknown>, key)];
        const format = (value: unknown): void => {
          try {
            child.format(value);
          } catch (error) {
            failures.push({ key, message: (error as Error).message });
            throw error;
          }
        };
        return [name, { doc: child.doc, default: child.default, sensitive: child.sensitive, format }];
      }),
    );
  const schema = wrap(configSchema, '') as unknown as convict.Schema<ObservabilityConfig>;
  const store = convict(schema, { env: {}, args: [] });
  const validate = (): FormatFailure | undefined => {
    failures.length = 0;
    try {
      // Unknown keys were already rejected by flattenToLayer with the file and key path.
      store.validate({ allowed: 'strict' });
      return undefined;
    } catch (cause) {
      return failures[0] ?? { key: '', message: (cause as Error).message };
    }
  };
  return {
    check(layer) {
      const tree: Record<string, unknown> = {};
      for (const entry of layer.entries) {
        if (!mapKeys.includes(entry.key)) {
          setPath(tree, entry.key, entry.value);
          continue;
        }
        try {
          leafOf(entry.key).format(entry.value);
        } catch (error) {
          throw invalidEntry(layer, entry, (error as Error).message);
        }
      }
      store.load(tree);
      const failure = validate();
      if (failure === undefined) return;
      const entry = layer.entries.find((e) => e.key === failure.key);
      if (entry !== undefined) throw invalidEntry(layer, entry, failure.message);
      // convict failed before any format ran (a section given where a value belongs): find the entry.
      for (const candidate of layer.entries) {
        try {
          leafOf(candidate.key).format(candidate.value);
        } catch (error) {
          throw invalidEntry(layer, candidate, (error as Error).message);
        }
      }
      throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', `invalid value for ${failure.key}`, {
        file: layer.file,
        key: failure.key,
        expected: failure.message,
      });
    },
    // Values derived after the layers (service identity, the OTLP endpoint path) are checked once more.
    finish(config) {
      const withoutMaps = structuredClone(config) as unknown as Record<string, unknown>;
      for (const key of mapKeys) setPath(withoutMaps, key, {});
      store.load(withoutMaps);
      const failure = validate();
      if (failure !== undefined) {
        let message = failure.key === '' ? failure.message : `${failure.key}: ${failure.message}`;
        for (const secret of collectSecrets(config)) message = message.split(secret).join(REDACTED);
        throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', message, { key: failure.key || undefined });
      }
      const validated = store.getProperties() as unknown as Record<string, unknown>;
      for (const key of mapKeys) setPath(validated, key, { ...(getPath(config, key) as object) });
      return validated as unknown as ObservabilityConfig;
    },
  };
}

function leafOf(key: string): SchemaLeaf {
  return listSchemaLeaves().find((l) => l.key === key)?.leaf as SchemaLeaf;
}

/** The coded error for a value one layer set: the file, the variable or options.overrides is named. */
function invalidEntry(layer: ConfigLayer, entry: LayerEntry, expected: string): ObservabilityError {
  const fromEnv = layer.source === 'env';
  const where = fromEnv
    ? ` from environment variable ${entry.origin}`
    : layer.source === 'override'
      ? ' in options.overrides'
      : entry.variables !== undefined
        ? ` substituted from environment variable ${entry.variables.join(', ')}`
        : '';
  return new ObservabilityError(
    fromEnv ? 'OBS_ERR_CONFIG_ENV_INVALID' : 'OBS_ERR_CONFIG_INVALID',
    `invalid value for ${entry.key}${where}`,
    { file: layer.file, key: entry.key, value: redactValue(entry.key, entry.value), expected },
  );
}
