import { ObservabilityError } from '../errors.js';
import { listSchemaLeaves, type SchemaLeaf } from './schema.js';
import type { ValueKind } from './formats.js';
import type { LayerEntry } from './layer.js';

/**
 * Reads the environment into layer entries: first the standard OTEL_* variables, then the GREY_*
 * variable of each schema key, so that a GREY_* variable beats the OTEL_* one for the same key.
 */
export function readEnvLayer(env: NodeJS.ProcessEnv): LayerEntry[] {
  const byKey = new Map<string, LayerEntry>();
  for (const entry of readOtelEnv(env)) byKey.set(entry.key, entry);
  for (const { key, leaf, env: name } of listSchemaLeaves()) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    byKey.set(key, { key, value: parseEnvValue(raw, leaf, name, key), origin: name });
  }
  return [...byKey.values()];
}

/**
 * Converts a variable's text to a value of the key's format (boolean, number, list, map); text
 * the key's own check rejects as well stays text, for the layer's check to report (see
 * {@link parseForKey}).
 */
export function parseEnvValue(
  raw: string,
  leaf: Pick<SchemaLeaf, 'format' | 'sensitive'>,
  name: string,
  key: string,
): unknown {
  return parseForKey(raw, leaf, leaf.format.kind, (expected) => {
    throw new ObservabilityError(
      'OBS_ERR_CONFIG_ENV_INVALID',
      `environment variable ${name} cannot be used for ${key}`,
      {
        key,
        value: leaf.sensitive ? '[REDACTED]' : raw,
        expected,
      },
    );
  });
}

/** Thrown inside {@link parseForKey} to return the raw text. */
const KEEP_TEXT = Symbol('keep the text');

/**
 * Reads `raw` as a value of `kind` for the key `leaf` (see {@link parseText}). Text that the key's
 * own check rejects as well stays as it is: the layer's check then reports it, naming where it
 * came from, together with every other problem of the layer (one error for all). `fail` is called
 * only for text that check alone would let through, where the parser's expectation is the one to tell.
 */
export function parseForKey(
  raw: string,
  leaf: Pick<SchemaLeaf, 'format'>,
  kind: ValueKind,
  fail: (expected: string) => never,
): unknown {
  try {
    return parseText(raw, kind, (expected) => {
      if (rejects(leaf, raw)) throw KEEP_TEXT;
      return fail(expected);
    });
  } catch (error) {
    if (error === KEEP_TEXT) return raw;
    throw error;
  }
}

function rejects(leaf: Pick<SchemaLeaf, 'format'>, value: unknown): boolean {
  try {
    leaf.format(value);
    return false;
  } catch {
    return true;
  }
}

/**
 * Reads `raw` as a value of `kind`, the one way text becomes a typed value (environment variables
 * and `${VAR}` substitutions in the file alike). `fail` receives what was expected.
 */
export function parseText(raw: string, kind: ValueKind, fail: (expected: string) => never): unknown {
  switch (kind) {
    case 'boolean': {
      const text = raw.trim().toLowerCase();
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      return fail('true or false');
    }
    case 'integer':
    case 'number': {
      const number = Number(raw.trim());
      return raw.trim() === '' || !Number.isFinite(number) ? fail('a number') : number;
    }
    case 'string-list':
      return (raw.trim().startsWith('[') ? parseJsonList(raw, fail) : splitList(raw)).map(String);
    case 'number-list': {
      const items = raw.trim().startsWith('[') ? parseJsonList(raw, fail) : splitList(raw);
      return items.map((item) => {
        const number = typeof item === 'number' ? item : Number(String(item).trim());
        return Number.isFinite(number) ? number : fail('a comma-separated list of numbers');
      });
    }
    case 'string-map':
      return raw.trim().startsWith('{') ? parseJsonMap(raw, fail) : parseKeyValueList(raw, fail);
    case 'string':
      return raw;
  }
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseJsonList(raw: string, fail: (expected: string) => never): unknown[] {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // falls through to the error below
  }
  return fail('a JSON array or a comma-separated list');
}

function parseJsonMap(raw: string, fail: (expected: string) => never): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // falls through to the error below
  }
  return fail('a JSON object or key=value pairs separated by commas');
}

/** The W3C-baggage-like `k1=v1,k2=v2` form of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. */
function parseKeyValueList(raw: string, fail: (expected: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of splitList(raw)) {
    const at = pair.indexOf('=');
    if (at <= 0) return fail('key=value pairs separated by commas');
    try {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      return fail('key=value pairs with valid percent-encoding');
    }
  }
  return out;
}

const SAMPLER_NAMES: Record<string, string> = {
  always_on: 'always_on',
  always_off: 'always_off',
  traceidratio: 'traceid_ratio',
  parentbased_always_on: 'parent_based_always_on',
  parentbased_always_off: 'parent_based_always_off',
  parentbased_traceidratio: 'parent_based_traceid_ratio',
};

interface OtelVariable {
  /** Variables in increasing precedence (signal-specific last). */
  names: string[];
  key: string;
  convert?: (raw: string, name: string) => unknown;
}

const OTEL_VARIABLES: OtelVariable[] = [
  { names: ['OTEL_SERVICE_NAME'], key: 'service.name' },
  { names: ['OTEL_RESOURCE_ATTRIBUTES'], key: 'opentelemetry.resource' },
  {
    names: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
    key: 'opentelemetry.exporter.endpoint',
  },
  {
    names: ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'],
    key: 'opentelemetry.exporter.protocol',
  },
  { names: ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'], key: 'opentelemetry.exporter.headers' },
  {
    names: ['OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'],
    key: 'opentelemetry.exporter.timeout_ms',
  },
  {
    names: ['OTEL_EXPORTER_OTLP_COMPRESSION', 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION'],
    key: 'opentelemetry.exporter.compression',
  },
  {
    names: ['OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE'],
    key: 'opentelemetry.exporter.certificate',
  },
  {
    names: ['OTEL_EXPORTER_OTLP_CLIENT_KEY', 'OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY'],
    key: 'opentelemetry.exporter.client_key',
  },
  {
    names: ['OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE', 'OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE'],
    key: 'opentelemetry.exporter.client_certificate',
  },
  {
    names: ['OTEL_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT'],
    key: 'opentelemetry.limits.attribute_count',
  },
  {
    names: ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
    key: 'opentelemetry.limits.attribute_value_length',
  },
  { names: ['OTEL_SPAN_EVENT_COUNT_LIMIT'], key: 'opentelemetry.limits.event_count' },
  { names: ['OTEL_SPAN_LINK_COUNT_LIMIT'], key: 'opentelemetry.limits.link_count' },
  { names: ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'], key: 'opentelemetry.limits.attributes_per_event' },
  { names: ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'], key: 'opentelemetry.limits.attributes_per_link' },
  { names: ['OTEL_BSP_MAX_QUEUE_SIZE'], key: 'opentelemetry.batch.max_queue_size' },
  { names: ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], key: 'opentelemetry.batch.max_export_batch_size' },
  { names: ['OTEL_BSP_SCHEDULE_DELAY'], key: 'opentelemetry.batch.scheduled_delay_ms' },
  {
    names: ['OTEL_TRACES_SAMPLER'],
    key: 'opentelemetry.sampling.strategy',
    convert: (raw, name) => {
      const strategy = SAMPLER_NAMES[raw.trim().toLowerCase()];
      if (strategy !== undefined) return strategy;
      throw new ObservabilityError(
        'OBS_ERR_CONFIG_ENV_INVALID',
        `environment variable ${name} names a sampler this package does not support`,
        {
          key: 'opentelemetry.sampling.strategy',
          value: raw,
          expected: Object.keys(SAMPLER_NAMES).join(', '),
        },
      );
    },
  },
  { names: ['OTEL_TRACES_SAMPLER_ARG'], key: 'opentelemetry.sampling.ratio' },
  { names: ['OTEL_PROPAGATORS'], key: 'opentelemetry.propagation' },
];

/** The standard OTEL_* variables read for each key, for the docs and `check-config`. */
export function describeOtelVariables(): Map<string, string[]> {
  const out = new Map<string, string[]>([['opentelemetry.enabled', ['OTEL_SDK_DISABLED (true disables)']]]);
  for (const variable of OTEL_VARIABLES) out.set(variable.key, [...variable.names]);
  return out;
}

function readOtelEnv(env: NodeJS.ProcessEnv): LayerEntry[] {
  const leaves = new Map(listSchemaLeaves().map(({ key, leaf }) => [key, leaf]));
  const out: LayerEntry[] = [];
  const disabled = env.OTEL_SDK_DISABLED;
  if (disabled !== undefined && disabled.trim().toLowerCase() === 'true') {
    out.push({ key: 'opentelemetry.enabled', value: false, origin: 'OTEL_SDK_DISABLED' });
  }
  for (const variable of OTEL_VARIABLES) {
    const name = [...variable.names].reverse().find((n) => env[n] !== undefined && env[n] !== '');
    if (name === undefined) continue;
    const raw = env[name] as string;
    const leaf = leaves.get(variable.key) as SchemaLeaf;
    const value = variable.convert ? variable.convert(raw, name) : parseEnvValue(raw, leaf, name, variable.key);
    out.push({ key: variable.key, value, origin: name });
  }
  return out;
}
