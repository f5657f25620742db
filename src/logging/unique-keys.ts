import pino, { type LogFn, type Logger } from 'pino';
import { REDACTED, type SecretNameMatcher } from '../secrets/index.js';
import { censorSecretKeys } from './redaction.js';

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
 * pino's own `level`, `time` and `msg` are never repeated: a call field of one of those names is
 * written as `level_field`, `time_field` or `msg_field` (`msg` only when a message argument is
 * given; otherwise pino takes the field as the message).
 *
 * A line that overrides a bound key is written by a view of the logger whose bindings leave that
 * key out (`Object.create(logger)`, as pino builds its own children; nothing of the caller's
 * logger changes). The view is cached per logger and per set of overridden keys; lines that
 * override nothing, the usual case, cost one WeakMap lookup and one Set lookup per field.
 */

const CHINDINGS = pino.symbols.chindingsSym;
const STRINGIFIERS = pino.symbols.stringifiersSym;
const WILDCARD_FIRST = pino.symbols.wildcardFirstSym;
const STRINGIFY = pino.symbols.stringifySym;
const STRINGIFY_SAFE = pino.symbols.stringifySafeSym;
const SERIALIZERS = pino.symbols.serializersSym;
/** Views kept per logger; beyond it a view is built per line (rare: many distinct override sets). */
const MAX_VIEWS_PER_LOGGER = 32;

interface BoundFields {
  /** The chindings string these facts were computed from (setBindings() replaces it). */
  chindings: string;
  /** The chindings as written: {@link chindings}, or rebuilt from the censored values when a binding held a secret. */
  written: string;
  /** This logger with {@link written} as its bindings, when they differ from its own (built on first use). */
  censoredView?: Logger;
  /** The bound values as pino serialized them, the last occurrence of each key winning. */
  values: Map<string, string>;
  /** True when the chindings hold a key twice (a child bound a name an ancestor bound). */
  repeated: boolean;
  /** Bindings less a set of overridden keys, per set (keys joined by NUL). */
  views: Map<string, string>;
  /** The context fields object {@link contextView} was built for (one slot: the last context). */
  context?: Readonly<Record<string, unknown>>;
  /** This logger with the serialized fields of {@link context} appended to its bindings. */
  contextView?: Logger;
}

const boundByLogger = new WeakMap<object, BoundFields>();

/**
 * A pino `hooks.logMethod` that writes each line with one key per field, by the rule above, and
 * writes the fields of the active context (`contextFields`, the cached object of
 * createTraceMixin) as pre-serialized bindings, as pino writes a child's: the line is written by a
 * view of the logger (`Object.create(logger)`) whose bindings end with the context fields,
 * serialized once per logger and context with the logger's own serializers and redaction
 * stringifiers (the view of the last context is kept per logger, so every line of one span after
 * the first reuses it). The fields land where a mixin's would (after the bindings, before the
 * call's fields) without copying an object and serializing them again on every line.
 *
 * With `isSecret`, the log call's own fields are censored first (censorSecretKeys: the caller's
 * object is never mutated, a copy is made only when a secret key is present), and so are the
 * logger's bindings (`child({ token })`, `child({ headers: { 'x-api-key': ... } })`): once per
 * logger, the bindings pino serialized are checked key by key (object values parsed and walked),
 * and a logger with a secret among them writes its lines through a view with the censored
 * bindings. The context fields are not walked (they are the package's own or `@Instrument`
 * fields, censored where they are captured).
 */
export function createUniqueKeysHook(
  contextFields: () => Readonly<Record<string, unknown>>,
  isSecret?: SecretNameMatcher,
): (this: Logger, args: Parameters<LogFn>, method: LogFn) => void {
  return function uniqueKeys(this: Logger, args, method) {
    const bound = boundFieldsOf(this, isSecret);
    const fromContext = contextFields();
    let overridden: string[] | undefined;
    let fromCall: string[] | undefined;
    const first = args[0] as unknown;
    if (first !== null && typeof first === 'object') {
      if (first instanceof Error) {
        if (isSecret?.('err') === true) {
          // pino would write the error under `err`, a secret name here: the message stays, the error does not.
          (args as unknown[]).splice(0, 2, { err: REDACTED }, args[1] ?? first.message);
        }
        if (bound.values.has('err')) overridden = ['err'];
        if (fromContext['err'] !== undefined) fromCall = ['err'];
      } else {
        let fields = first as Record<string, unknown>;
        if (isSecret !== undefined) {
          fields = censorSecretKeys(fields, isSecret);
          if (fields !== first) (args as unknown[])[0] = fields;
        }
        if (fields.level !== undefined || fields.time !== undefined || (fields.msg !== undefined && args.length > 1)) {
          fields = renameLineKeys(fields, args.length > 1);
          (args as unknown[])[0] = fields;
        }
        for (const key in fields) {
          if (fields[key] === undefined) continue;
          if (bound.values.has(key)) (overridden ??= []).push(key);
          if (fromContext[key] !== undefined) (fromCall ??= []).push(key);
        }
      }
    }
    // The cached view of this context exists only when no context field collides with a binding.
    const cachedView = bound.context === fromContext ? bound.contextView : undefined;
    if (cachedView !== undefined && overridden === undefined && fromCall === undefined) {
      method.apply(cachedView, args);
      return;
    }
    for (const key in fromContext) {
      if (bound.values.has(key) && fromContext[key] !== undefined && !overridden?.includes(key)) {
        (overridden ??= []).push(key);
      }
    }
    if (overridden === undefined && fromCall === undefined && !bound.repeated) {
      if (isEmpty(fromContext)) {
        if (bound.written === bound.chindings) method.apply(this, args);
        else method.apply((bound.censoredView ??= withBindings(this, bound.written)), args);
        return;
      }
      const view = withBindings(this, bound.written + serializeFields(this, fromContext, undefined));
      bound.context = fromContext;
      bound.contextView = view;
      method.apply(view, args);
      return;
    }
    const base =
      overridden === undefined && !bound.repeated ? bound.written : chindingsWithout(bound, overridden ?? []);
    method.apply(withBindings(this, base + serializeFields(this, fromContext, fromCall)), args);
  };
}

/**
 * The call's fields with `level`, `time` (and `msg` when a message argument is given) renamed to
 * `level_field`, `time_field`, `msg_field`: pino writes its own `level`, `time` and `msg` first,
 * so the call's would be a second key of the same name (a reader keeping the last one would see
 * the wrong level or time). Renamed, not dropped: nothing the caller logged is lost. A copy; the
 * caller's object is never mutated.
 */
function renameLineKeys(fields: Readonly<Record<string, unknown>>, hasMessage: boolean): Record<string, unknown> {
  const renamed: Record<string, unknown> = {};
  for (const key in fields) {
    const lineKey = key === 'level' || key === 'time' || (key === 'msg' && hasMessage);
    renamed[lineKey ? `${key}_field` : key] = fields[key];
  }
  return renamed;
}

const KEY_PREFIXES = new Map<string, string>();
/** Distinct field names whose `,"name":` prefix is kept (names come from code: trace fields, @Instrument fields). */
const MAX_KEY_PREFIXES = 256;

/** `,"key":` as JSON writes it, cached per name. */
function keyPrefix(key: string): string {
  let prefix = KEY_PREFIXES.get(key);
  if (prefix === undefined) {
    prefix = `,${JSON.stringify(key)}:`;
    if (KEY_PREFIXES.size < MAX_KEY_PREFIXES) KEY_PREFIXES.set(key, prefix);
  }
  return prefix;
}

function isEmpty(fields: Readonly<Record<string, unknown>>): boolean {
  for (const _key in fields) return false;
  return true;
}

function withBindings(logger: Logger, chindings: string): Logger {
  const view = Object.create(logger) as Logger;
  (view as unknown as Record<symbol, string>)[CHINDINGS] = chindings;
  return view;
}

type Stringify = (value: unknown, safe?: unknown) => string | undefined;

/**
 * `fields` (less `skip`) as pino serializes a child's bindings (lib/tools.js asChindings): the
 * logger's serializer of the key, then its redaction stringifier of the key (or the wildcard one),
 * else its JSON stringifier; a value that serializes to undefined is left out.
 */
function serializeFields(
  logger: Logger,
  fields: Readonly<Record<string, unknown>>,
  skip: readonly string[] | undefined,
): string {
  const symbols = logger as unknown as Record<symbol, unknown>;
  const stringifiers = symbols[STRINGIFIERS] as Record<string | symbol, Stringify | undefined>;
  const wildcard = stringifiers[WILDCARD_FIRST];
  const stringify = symbols[STRINGIFY] as Stringify;
  const safe = symbols[STRINGIFY_SAFE];
  const serializers = symbols[SERIALIZERS] as Record<string, ((value: unknown) => unknown) | undefined>;
  let text = '';
  for (const key in fields) {
    let value: unknown = fields[key];
    if (value === undefined || skip?.includes(key)) continue;
    const serializer = serializers[key];
    if (serializer !== undefined) value = serializer(value);
    const serialized = (stringifiers[key] ?? wildcard ?? stringify)(value, safe);
    if (serialized === undefined) continue;
    text += keyPrefix(key) + serialized;
  }
  return text;
}

function boundFieldsOf(logger: Logger, isSecret: SecretNameMatcher | undefined): BoundFields {
  const chindings = (logger as unknown as Record<symbol, string>)[CHINDINGS] ?? '';
  const cached = boundByLogger.get(logger);
  if (cached !== undefined && cached.chindings === chindings) return cached;
  const { values, repeated } = parseChindings(chindings);
  const censored = isSecret !== undefined && censorBoundValues(values, isSecret);
  let written = chindings;
  if (censored) {
    written = '';
    for (const [key, value] of values) written += `,${JSON.stringify(key)}:${value}`;
  }
  const fresh: BoundFields = { chindings, written, values, repeated, views: new Map() };
  boundByLogger.set(logger, fresh);
  return fresh;
}

/**
 * Replaces, in the serialized bound `values`, the value of every secret-named binding by the
 * marker, and censors secret-named keys inside bound objects and arrays (parsed from pino's JSON,
 * walked by censorSecretKeys). True when anything was replaced.
 */
function censorBoundValues(values: Map<string, string>, isSecret: SecretNameMatcher): boolean {
  let changed = false;
  for (const [key, value] of values) {
    if (isSecret(key)) {
      values.set(key, JSON.stringify(REDACTED));
      changed = true;
      continue;
    }
    if (!value.startsWith('{') && !value.startsWith('[')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      continue;
    }
    const censored = censorSecretKeys({ value: parsed }, isSecret).value;
    if (censored !== parsed) {
      values.set(key, JSON.stringify(censored));
      changed = true;
    }
  }
  return changed;
}

/** The bindings less the `overridden` keys, each key once (its last value). */
function chindingsWithout(bound: BoundFields, overridden: readonly string[]): string {
  const id = overridden.join('\u0000');
  const cached = bound.views.get(id);
  if (cached !== undefined) return cached;
  let chindings = '';
  for (const [key, value] of bound.values) {
    if (!overridden.includes(key)) chindings += `,${JSON.stringify(key)}:${value}`;
  }
  if (bound.views.size < MAX_VIEWS_PER_LOGGER) bound.views.set(id, chindings);
  return chindings;
}

/**
 * Splits pino's chindings (`,"pid":1,"service":"a",...`: top-level members of a JSON object) into
 * keys and their serialized values, keeping the last value of a repeated key.
 */
function parseChindings(chindings: string): { values: Map<string, string>; repeated: boolean } {
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
