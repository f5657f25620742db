import pino, { type LogFn, type Logger } from 'pino';

/**
 * One key per field on every line.
 *
 * pino writes a logger's bindings (the service identity of `base`, every `child({...})`) as a
 * pre-serialized string, then the fields of the log call and of the mixin after it, so a name in
 * both appears twice in one JSON object (pino#682, PR #1709), and strict JSON consumers
 * (Elasticsearch) reject the line. The rule, most specific first, is what `JSON.parse` already
 * picks from pino's order, so nothing a reader relied on changes:
 *
 *   1. the log call's own object (`logger.info({ tenant_id }, ...)`),
 *   2. the active context: trace_id, span_id, trace_flags, tenant_id and `@Instrument` fields,
 *   3. child bindings, an inner child's over an outer one's,
 *   4. the service identity (service, version, environment, instance_id, pid, hostname).
 *
 * A line that overrides a bound key is written by a view of the logger whose bindings leave that
 * key out (`Object.create(logger)`, as pino builds its own children; nothing of the caller's
 * logger changes). The view is cached per logger and per set of overridden keys; lines that
 * override nothing, the usual case, cost one WeakMap lookup and one Set lookup per field.
 */

const CHINDINGS = pino.symbols.chindingsSym;
/** Views kept per logger; beyond it a view is built per line (rare: many distinct override sets). */
const MAX_VIEWS_PER_LOGGER = 32;

interface BoundFields {
  /** The chindings string these facts were computed from (setBindings() replaces it). */
  chindings: string;
  /** The bound values as pino serialized them, the last occurrence of each key winning. */
  values: Map<string, string>;
  /** True when the chindings hold a key twice (a child bound a name an ancestor bound). */
  repeated: boolean;
  views: Map<string, Logger>;
}

const boundByLogger = new WeakMap<object, BoundFields>();

/**
 * A pino `hooks.logMethod` that writes each line with one key per field, by the rule above.
 * `contextFields` returns the fields the mixin adds for the active context (the same cached object).
 */
export function createUniqueKeysHook(
  contextFields: () => Readonly<Record<string, unknown>>,
): (this: Logger, args: Parameters<LogFn>, method: LogFn) => void {
  return function uniqueKeys(this: Logger, args, method) {
    const bound = boundFieldsOf(this);
    let overridden: string[] | undefined;
    const first = args[0] as unknown;
    if (first !== null && typeof first === 'object') {
      if (first instanceof Error) {
        if (bound.values.has('err')) overridden = ['err'];
      } else {
        const fields = first as Record<string, unknown>;
        for (const key in fields) {
          if (bound.values.has(key) && fields[key] !== undefined) (overridden ??= []).push(key);
        }
      }
    }
    const fromContext = contextFields();
    for (const key in fromContext) {
      if (bound.values.has(key) && fromContext[key] !== undefined && !overridden?.includes(key)) {
        (overridden ??= []).push(key);
      }
    }
    if (overridden === undefined && !bound.repeated) {
      method.apply(this, args);
      return;
    }
    method.apply(viewWithout(this, bound, overridden ?? []), args);
  };
}

function boundFieldsOf(logger: Logger): BoundFields {
  const chindings = (logger as unknown as Record<symbol, string>)[CHINDINGS] ?? '';
  const cached = boundByLogger.get(logger);
  if (cached !== undefined && cached.chindings === chindings) return cached;
  const { values, repeated } = parseChindings(chindings);
  const fresh: BoundFields = { chindings, values, repeated, views: new Map() };
  boundByLogger.set(logger, fresh);
  return fresh;
}

function viewWithout(logger: Logger, bound: BoundFields, overridden: readonly string[]): Logger {
  const id = overridden.join('\u0000');
  const cached = bound.views.get(id);
  if (cached !== undefined) return cached;
  let chindings = '';
  for (const [key, value] of bound.values) {
    if (!overridden.includes(key)) chindings += `,${JSON.stringify(key)}:${value}`;
  }
  const view = Object.create(logger) as Logger;
  (view as unknown as Record<symbol, string>)[CHINDINGS] = chindings;
  if (bound.views.size < MAX_VIEWS_PER_LOGGER) bound.views.set(id, view);
  return view;
}

/**
 * Splits pino's chindings (`,"pid":1,"service":"a",...`: top-level members of a JSON object) into
 * keys and their serialized values, keeping the last value of a repeated key.
 */
export function parseChindings(chindings: string): { values: Map<string, string>; repeated: boolean } {
  const values = new Map<string, string>();
  let repeated = false;
  const text = chindings.startsWith(',') ? chindings.slice(1) : chindings;
  let i = 0;
  while (i < text.length) {
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const valueStart = keyEnd + 1; // after the colon
    const valueEnd = endOfValue(text, valueStart);
    if (values.has(key)) {
      repeated = true;
      values.delete(key); // re-inserted below, at the position of its last occurrence
    }
    values.set(key, text.slice(valueStart, valueEnd));
    i = valueEnd + 1; // after the comma
  }
  return { values, repeated };
}

/** Index just past the JSON string starting at `start` (which holds its opening quote). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index just past the JSON value starting at `start`, at depth 0 (the next top-level comma or the end). */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    else if (char === ',' && depth === 0) return i;
    i++;
  }
  return i;
}
