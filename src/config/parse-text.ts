/**
 * How text becomes a typed value: a `GREY_*` or `OTEL_*` variable, or a `${VAR}` substituted into
 * the config file, read by the kind of its key's format (boolean, number, list, map).
 */
import type { ValueKind } from './formats.js';
import type { SchemaLeaf } from './schema.js';

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
 * The W3C-baggage-like `k1=v1,k2=v2` form of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS.
 * The map is built from entries, so a name such as `__proto__` is an entry like any other (an
 * assignment would set the object's prototype instead and lose it).
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
