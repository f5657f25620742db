/**
 * Coercion: text becomes a typed value, one way for every source of text. A `GREY_*` variable, a
 * `${VAR}` substituted into the config file and a standard `OTEL_*` variable are all read by the
 * kind of their key's format (boolean, number, list, map): `port: ${METRICS_PORT:-9464}` is the
 * number 9464, `GREY_OTEL_ENABLED=1` the boolean true, `always_sample: ${RULES}` a list.
 * OpenTelemetry's file config types a node after substitution too (opentelemetry-js#5815).
 */
import type { ValueKind } from './formats.js';
import type { ConfigLayer } from './layer.js';
import type { SchemaLeaf } from './schema.js';

/**
 * The environment variables whose text went into each value of a layer, by key path
 * (`prometheus.port`, or `prometheus.latency_buckets[0]` for one item of a list): `${VAR}`
 * substitutions for the file, the `GREY_*` variable itself for the environment.
 */
export type TextSources = Map<string, string[]>;

/**
 * Types, in place, every entry of `layer` whose value is text from the environment (see
 * {@link TextSources}) by its key's kind, and notes the variables on the entry (`variables`) for
 * the errors. Items of a list of numbers substituted one by one (`[${LOW}, 1]`) are typed each.
 * Text a kind cannot take stays text: validation then rejects it with the key's own expectation
 * ("an integer from 1 to 65535"), naming the variable, with every other problem of the layer.
 */
export function coerceLayer(
  layer: ConfigLayer,
  textSources: TextSources,
  leaves: ReadonlyMap<string, SchemaLeaf>,
): void {
  if (textSources.size === 0) return;
  for (const entry of layer.entries) {
    const kind = leaves.get(entry.key)?.format.kind;
    if (kind === undefined) continue;
    const names = textSources.get(entry.key);
    if (typeof entry.value === 'string' && names !== undefined) {
      entry.variables = names;
      entry.value = textOrValue(entry.value, kind);
    } else if (Array.isArray(entry.value) && kind === 'number-list') {
      entry.value = entry.value.map((item: unknown, i) => {
        const itemNames = textSources.get(`${entry.key}[${i}]`);
        if (typeof item !== 'string' || itemNames === undefined) return item;
        entry.variables = [...new Set([...(entry.variables ?? []), ...itemNames])];
        return textOrValue(item, 'number');
      });
    }
  }
}

/** Thrown inside {@link textOrValue} to return the raw text. */
const KEEP_TEXT = Symbol('keep the text');

function textOrValue(raw: string, kind: ValueKind): unknown {
  try {
    return parseText(raw, kind, () => {
      throw KEEP_TEXT;
    });
  } catch (error) {
    if (error === KEEP_TEXT) return raw;
    throw error;
  }
}

/**
 * Reads `raw` as a value of `kind`; `fail` receives what was expected. Booleans: `true`/`false`/
 * `1`/`0` (any case); numbers: finite decimal text; lists: a JSON array or comma-separated items
 * (trimmed, empty ones left out); maps: a JSON object or `k1=v1,k2=v2` with percent-decoding (the
 * W3C-baggage-like form of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS).
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

/** The items of a comma-separated list, trimmed, empty ones left out. */
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

/**
 * The `k1=v1,k2=v2` form. The map is built from entries, so a name such as `__proto__` is an
 * entry like any other (an assignment would set the object's prototype instead and lose it).
 */
function parseKeyValueList(raw: string, fail: (expected: string) => never): Record<string, string> {
  const entries: Array<[string, string]> = [];
  for (const pair of splitList(raw)) {
    const at = pair.indexOf('=');
    if (at <= 0) return fail('key=value pairs separated by commas');
    try {
      entries.push([decodeURIComponent(pair.slice(0, at).trim()), decodeURIComponent(pair.slice(at + 1).trim())]);
    } catch {
      return fail('key=value pairs with valid percent-encoding');
    }
  }
  return Object.fromEntries(entries);
}
