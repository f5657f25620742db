import { isObservabilityError, ObservabilityError, quoteText } from '../errors.js';
import { coerceLayer, type TextSources } from './coerce.js';
import { locateConfigFile, readConfigFile } from './config-file.js';
import { deriveValues } from './derive.js';
import { readEnvLayer } from './env-layer.js';
import { flattenToLayer, type ConfigLayer } from './layer.js';
import { DEFAULT_SOURCE, mergeLayers, type ValueSource, type ValueSources } from './merge.js';
import type { IgnoredVariable } from './otel-env.js';
import { isUnder } from './paths.js';
import { joinProblems } from './problems.js';
import { listSchemaLeaves } from './schema.js';
import { substituteEnv } from './substitute.js';
import type { ConfigOverrides, ObservabilityConfig } from './types.js';
import { validateLayer } from './validate.js';

export type { ValueSource } from './merge.js';

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

/** Drops what `layer` sets or finds wrong under `section` (see {@link loadConfigWithoutTracing}). */
function withoutSection(layer: ConfigLayer, section: string | undefined): ConfigLayer {
  if (section === undefined) return layer;
  const problems = layer.problems?.filter((problem) => !isUnder(problem.key, section));
  return {
    ...layer,
    entries: layer.entries.filter((entry) => !isUnder(entry.key, section)),
    problems: problems === undefined || problems.length === 0 ? undefined : problems,
  };
}

/**
 * The config pipeline, one step after the other (docs/architecture.md, "Config"):
 *
 *   1. read: the file (parsed, `${VAR}` substituted as text), the environment, the overrides;
 *   2. flatten: each source to entries by schema key; unknown keys and misplaced sections are problems;
 *   3. coerce: text from the environment typed by its key's kind (coerce.ts);
 *   4. validate: each value once by its key's format; every problem of every layer in one error;
 *   5. merge: defaults < file < OTEL_* < GREY_* < overrides, with the source of each value;
 *   6. derive: the OTLP endpoint path, the service identity, the auth keys (derive.ts).
 */
function resolveConfig(options: LoadConfigOptions, setAside: string | undefined): ResolvedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const leaves = new Map(listSchemaLeaves().map(({ key, leaf }) => [key, leaf]));

  // 1-3. Read, flatten and coerce each source, lowest precedence first.
  const located = locateConfigFile(options.configFile, env, cwd);
  const environment = readEnvLayer(env);
  const layers: ConfigLayer[] = [];
  if (located !== undefined) {
    const textSources: TextSources = new Map();
    const unset: ObservabilityError[] = [];
    const tree = substituteEnv(readConfigFile(located.path), env, located.path, '', textSources, unset);
    const fileLayer = flattenToLayer(tree as Record<string, unknown>, 'file', located.path, located.path);
    withUnsetVariables(fileLayer, unset);
    coerceLayer(fileLayer, textSources, leaves);
    layers.push(fileLayer);
  }
  coerceLayer(environment.grey, environment.textSources, leaves);
  layers.push(environment.standard, environment.grey);
  if (options.overrides !== undefined)
    layers.push(flattenToLayer(checkOverrides(options.overrides), 'override', 'options.overrides'));
  const kept = layers.map((layer) => withoutSection(layer, setAside));

  // 4. Validate: one error names the problems of the file, the environment and the overrides (in
  // that order; in each, unknown keys and sections given as values first).
  const problems = kept.flatMap((layer) => validateLayer(layer, leaves));
  if (problems.length > 0) throw joinProblems(problems);

  // 5-6. Merge and derive.
  const { config, sources } = mergeLayers(kept, leaves);
  deriveValues(config, sources, leaves);
  const warnings = environment.ignored.map((ignored) => describeIgnored(ignored, sources));
  return { config, sources, file: located?.path, warnings };
}

/** Code overrides must be an object shaped like the config file. */
function checkOverrides(overrides: unknown): Record<string, unknown> {
  if (overrides !== null && typeof overrides === 'object' && !Array.isArray(overrides)) {
    return overrides as Record<string, unknown>;
  }
  throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', 'options.overrides is not an object', {
    key: 'overrides',
    value: overrides,
    expected: 'an object shaped like the config file, e.g. { prometheus: { port: 9464 } }',
  });
}

/** The warning for a standard variable that was ignored, saying what applies instead. */
function describeIgnored(ignored: IgnoredVariable, sources: ValueSources): ConfigWarning {
  const { variable, key, value, expected } = ignored;
  const source = sources[key] ?? DEFAULT_SOURCE;
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
