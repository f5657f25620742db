/**
 * Validators used by the convict schema. Each throws an Error whose message says what was expected;
 * the loader turns it into an ObservabilityError naming the key and the value. They are plain
 * functions passed as `format`, so nothing is registered on convict's global state.
 */

/** How text (an environment variable, a `${VAR}` substituted in the file) is read into a value. */
export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'string-list' | 'number-list' | 'string-map';

/**
 * A convict `format` function that also says what it accepts: `kind` at run time, and the value
 * type `T` for the compiler (the config type is derived from the schema's formats).
 */
export interface Format<T> {
  (value: unknown): void;
  readonly kind: ValueKind;
  /** Type marker only; never set. */
  readonly valueType?: T;
}

function format<T>(kind: ValueKind, check: (value: unknown) => void): Format<T> {
  return Object.assign(check, { kind });
}

export function oneOf<T extends string>(values: readonly T[]): Format<T> {
  return format('string', (value) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw new Error(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  });
}

export function integerInRange(min: number, max: number): Format<number> {
  return format('integer', (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`an integer from ${min} to ${max}`);
    }
  });
}

export function numberInRange(min: number, max: number): Format<number> {
  return format('number', (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`a number from ${min} to ${max}`);
    }
  });
}

export const booleanValue: Format<boolean> = format('boolean', (value) => {
  if (typeof value !== 'boolean') throw new Error('true or false');
});

export const stringValue: Format<string> = format('string', (value) => {
  if (typeof value !== 'string') throw new Error('a string');
});

export const nonEmptyString: Format<string> = format('string', (value) => {
  if (typeof value !== 'string' || value.trim() === '') throw new Error('a non-empty string');
});

export const urlPath: Format<string> = format('string', (value) => {
  if (typeof value !== 'string' || !/^\/[^\s?#]*$/.test(value)) {
    throw new Error('a URL path starting with "/" (no spaces, query or fragment)');
  }
});

export const endpointUrl: Format<string> = format('string', (value) => {
  if (value === '') return;
  if (typeof value !== 'string') throw new Error('an http:// or https:// URL, or "" for the protocol default');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('an http:// or https:// URL, or "" for the protocol default');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('an http:// or https:// URL, or "" for the protocol default');
  }
});

/** A strictly increasing list of positive finite numbers (histogram bucket bounds, seconds). */
export const increasingPositiveNumbers: Format<number[]> = format('number-list', (value) => {
  const expected = 'a non-empty, strictly increasing list of positive numbers';
  if (!Array.isArray(value) || value.length === 0) throw new Error(expected);
  let previous = 0;
  for (const item of value) {
    if (typeof item !== 'number' || !Number.isFinite(item) || item <= previous) throw new Error(expected);
    previous = item;
  }
});

export function stringListOf<T extends string = string>(allowed?: readonly T[]): Format<T[]> {
  return format('string-list', (value) => {
    const expected =
      allowed === undefined
        ? 'a list of strings'
        : `a list whose items are ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    if (!Array.isArray(value)) throw new Error(expected);
    for (const item of value) {
      if (typeof item !== 'string' || (allowed !== undefined && !(allowed as readonly string[]).includes(item)))
        throw new Error(expected);
    }
  });
}

/**
 * `opentelemetry.propagation`: a list of {@link PROPAGATORS}. `jaeger` gets its own message: the
 * OpenTelemetry JS SDK 3.x removed `@opentelemetry/propagator-jaeger` (opentelemetry-js#7077).
 */
export function propagatorList<T extends string>(allowed: readonly T[]): Format<T[]> {
  const items = stringListOf(allowed);
  return format('string-list', (value) => {
    if (Array.isArray(value) && value.includes('jaeger')) {
      throw new Error(
        'a list without "jaeger": the Jaeger propagator was removed in OpenTelemetry JS 3.x; use "tracecontext" (Jaeger reads W3C trace context)',
      );
    }
    items(value);
  });
}

/** URL paths, each exact or a prefix ending in `*` (`/healthz`, `/internal/*`). */
export const ignoredPaths: Format<string[]> = format('string-list', (value) => {
  const expected =
    'a list of URL paths starting with "/", each exact or ending in * for a prefix ("/healthz", "/internal/*")';
  if (!Array.isArray(value)) throw new Error(expected);
  for (const item of value) {
    if (typeof item !== 'string' || !item.startsWith('/') || item.slice(0, -1).includes('*') || /[?#\s]/.test(item))
      throw new Error(expected);
  }
});

/** A flat map of string keys to string values (headers, resource attributes). */
export const stringMap: Format<Record<string, string>> = format('string-map', (value) => {
  const expected = 'a map of string keys to string, number or boolean values';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(expected);
  for (const item of Object.values(value)) {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') throw new Error(expected);
  }
});

/** A map of header names to header values: no control characters (CR/LF would split headers). */
export const headerMap: Format<Record<string, string>> = format('string-map', (value) => {
  stringMap(value);
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || hasControlCharacter(String(item))) {
      throw new Error('header names made of token characters and values without control characters (no CR, LF or NUL)');
    }
  }
});

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** `key=value` or `key=*` sampling rules. */
export const samplingRules: Format<string[]> = format('string-list', (value) => {
  const expected = 'a list of "key=value" or "key=*" rules';
  if (!Array.isArray(value)) throw new Error(expected);
  for (const item of value) {
    if (typeof item !== 'string' || !/^[^=\s]+=[^=]*$/.test(item) || item.endsWith('=')) throw new Error(expected);
  }
});

/** A log destination: "stdout", "stderr" or a file path. */
export const logDestination: Format<string> = format('string', (value) => {
  if (typeof value !== 'string' || value.trim() === '') throw new Error('"stdout", "stderr" or a file path');
});
