import type { LogFn, Logger } from 'pino';
import { REDACTED, type SecretNameMatcher } from '../secrets/index.js';
import { contextChildOf } from './context-child.js';
import { dropRepeatedKeys } from './drop-repeated-keys.js';
import { boundKeysOf } from './logger-bindings.js';
import { censorSecretKeys } from './redaction.js';

/**
 * One key per field on every line, through pino's public hooks only.
 *
 * pino writes a logger's bindings (the service identity of `base`, every `child({...})`), then the
 * fields of the log call, so a name in both appears twice in one JSON object (pino#682, PR #1709),
 * and strict JSON consumers (Elasticsearch) reject the line. The rule, most specific first, is
 * what `JSON.parse` already picks from pino's order, so nothing a reader relied on changes:
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
 * How: `hooks.logMethod` writes the line through the logger's child bound to the context fields
 * (context-child.ts: after the bindings, before the call's fields), and knows from the keys the
 * logger has bound (logger-bindings.ts) whether the line will hold a key twice; only then does
 * `hooks.streamWrite` rewrite the finished line, keeping the last member of each key
 * (drop-repeated-keys.ts). A line that repeats nothing, the usual case, costs a lookup per field
 * of the call and is written as pino made it.
 */
export interface OneKeyPerField {
  /** pino's `hooks.logMethod`. */
  logMethod: (this: Logger, args: Parameters<LogFn>, method: LogFn) => void;
  /** pino's `hooks.streamWrite` (the rewrite of the lines logMethod marked; others pass as they are). */
  streamWrite: (line: string) => string;
}

/**
 * Creates the two hooks of one logger. `contextFields` returns the fields of the active context
 * (the shared, cached object of createTraceMixin). With `isSecret`, the log call's own fields are
 * censored first (censorSecretKeys: the caller's object is never mutated, a copy is made only when
 * a secret key is present), and an Error logged under a secret-named `err` keeps only its message.
 * The context fields are not walked here (they are the package's own or `@Instrument` fields,
 * censored where they are captured).
 */
export function createOneKeyPerField(
  contextFields: () => Readonly<Record<string, unknown>>,
  isSecret?: SecretNameMatcher,
): OneKeyPerField {
  // pino calls streamWrite synchronously inside the log method (pino-contract.test.ts): the flag
  // marks the line being written now. Saved and restored, so a line logged while another is being
  // written (by a serializer) marks only itself.
  let rewrite = false;
  return {
    logMethod(this: Logger, args, method) {
      const fromContext = contextFields();
      const bound = boundKeysOf(this);
      // Inside a context the line is written by the logger's child bound to the context fields.
      const child = isEmpty(fromContext) ? undefined : contextChildOf(this, fromContext, bound);
      const target = child === undefined ? this : child.logger;
      let repeats = child === undefined ? bound.repeated : child.repeated;
      const first = args[0] as unknown;
      if (first !== null && typeof first === 'object') {
        if (first instanceof Error) {
          if (isSecret?.('err') === true) {
            // pino would write the error under `err`, a secret name here: the message stays, the error does not.
            (args as unknown[]).splice(0, 2, { err: REDACTED }, args[1] ?? first.message);
          }
          if (bound.keys.has('err') || fromContext['err'] !== undefined) repeats = true;
        } else {
          let fields = first as Record<string, unknown>;
          if (isSecret !== undefined) {
            fields = censorSecretKeys(fields, isSecret);
            if (fields !== first) (args as unknown[])[0] = fields;
          }
          if (
            fields.level !== undefined ||
            fields.time !== undefined ||
            (fields.msg !== undefined && args.length > 1)
          ) {
            fields = renameLineKeys(fields, args.length > 1);
            (args as unknown[])[0] = fields;
          }
          if (!repeats) {
            for (const key in fields) {
              if (fields[key] !== undefined && (bound.keys.has(key) || fromContext[key] !== undefined)) {
                repeats = true;
                break;
              }
            }
          }
        }
      }
      if (!repeats && !rewrite) {
        method.apply(target, args);
        return;
      }
      const outer = rewrite;
      rewrite = repeats;
      try {
        method.apply(target, args);
      } finally {
        rewrite = outer;
      }
    },
    streamWrite(line) {
      return rewrite ? dropRepeatedKeys(line) : line;
    },
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

function isEmpty(fields: Readonly<Record<string, unknown>>): boolean {
  for (const _key in fields) return false;
  return true;
}
