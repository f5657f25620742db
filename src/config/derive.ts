/**
 * Derivation: the values the config implies beyond what its sources set, computed after the
 * merge. Each value derived here is checked once by its key's format; the auth rule checks keys
 * that must be set together.
 */
import { ObservabilityError } from '../errors.js';
import { DEFAULT_SOURCE, mapEntryKey, type ValueSource, type ValueSources } from './merge.js';
import { redactValue } from './redact.js';
import type { SchemaLeaf } from './schema.js';
import type { ConfigSource, ObservabilityConfig } from './types.js';
import { rejection } from './validate.js';

/**
 * Applies every derivation to `config` (changed in place) and `sources`: the generic OTLP
 * endpoint's path, the service identity's one truth, and the auth keys the auth type requires.
 * Throws an ObservabilityError (`OBS_ERR_CONFIG_INVALID`) naming the key on a derived value its
 * format rejects or a required key left empty.
 */
export function deriveValues(
  config: ObservabilityConfig,
  sources: ValueSources,
  leaves: ReadonlyMap<string, SchemaLeaf>,
): void {
  const derived: Derived = (key, value, from) => {
    const expected = rejection(leaves.get(key) as SchemaLeaf, value);
    if (expected === undefined) return;
    throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', `invalid value for ${key} (${describe(sources[key])})`, {
      file: from.source === 'file' ? from.origin : undefined,
      key,
      value: redactValue(key, value),
      expected,
    });
  };
  applyGenericOtlpEndpoint(config, sources, derived);
  deriveServiceIdentity(config, sources, derived);
  requireAuthKeys(config, sources);
}

/** Checks the value derived for `key` from a value that `from` set. */
type Derived = (key: string, value: unknown, from: ValueSource) => void;

function describe(source: ValueSource | undefined): string {
  return source === undefined ? 'derived' : `derived from ${source.origin}`;
}

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: for http/protobuf the SDK convention is to append
 * /v1/traces to its path (http://gw:4318/otlp -> http://gw:4318/otlp/v1/traces), whereas a
 * traces-specific endpoint (the file, GREY_*, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is used as
 * given (OpenTelemetry specification, "OTLP Exporter Configuration", endpoint URLs for OTLP/HTTP).
 */
function applyGenericOtlpEndpoint(config: ObservabilityConfig, sources: ValueSources, derived: Derived): void {
  const exporter = config.opentelemetry.exporter;
  if (sources['opentelemetry.exporter.endpoint']?.origin !== 'OTEL_EXPORTER_OTLP_ENDPOINT') return;
  if (exporter.protocol !== 'http/protobuf') return;
  const url = new URL(exporter.endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  exporter.endpoint = url.toString();
  derived('opentelemetry.exporter.endpoint', exporter.endpoint, sources['opentelemetry.exporter.endpoint']);
}

const PRECEDENCE: Record<ConfigSource, number> = { default: 0, file: 1, env: 2, override: 4 };

/** The rank of a source: within the environment a `GREY_*` variable beats a standard `OTEL_*` one. */
function rank(source: ValueSource): number {
  return PRECEDENCE[source.source] + (source.source === 'env' && source.origin.startsWith('GREY_') ? 1 : 0);
}

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
function deriveServiceIdentity(config: ObservabilityConfig, sources: ValueSources, derived: Derived): void {
  for (const [serviceKey, attribute] of IDENTITY_ATTRIBUTES) {
    const fromResource = config.opentelemetry.resource[attribute];
    const resourceKey = mapEntryKey('opentelemetry.resource', attribute);
    const resourceSource = sources[resourceKey] ?? DEFAULT_SOURCE;
    const serviceSource = sources[serviceKey] as ValueSource;
    const field = serviceKey.slice('service.'.length) as keyof ObservabilityConfig['service'];
    if (fromResource !== undefined && rank(resourceSource) > rank(serviceSource)) {
      config.service[field] = fromResource;
      sources[serviceKey] = { ...resourceSource, origin: `${resourceSource.origin} (${resourceKey})` };
      derived(serviceKey, fromResource, resourceSource);
    }
    if (config.service[field] !== '' && config.opentelemetry.resource[attribute] !== config.service[field]) {
      config.opentelemetry.resource[attribute] = config.service[field];
      sources[resourceKey] = {
        ...(sources[serviceKey] as ValueSource),
        origin: `${(sources[serviceKey] as ValueSource).origin} (${serviceKey})`,
      };
    }
  }
}

/** `prometheus.auth.type` bearer needs a token, basic a user name and a password. */
function requireAuthKeys(config: ObservabilityConfig, sources: ValueSources): void {
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
