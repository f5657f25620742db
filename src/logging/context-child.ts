import type { Logger } from 'pino';
import { unwatchedChild, type BoundKeys } from './logger-bindings.js';

/**
 * The logger that writes a line inside an active context: a child of the caller's logger bound to
 * the context's fields (trace_id, span_id, trace_flags, tenant_id, `@Instrument` fields; the
 * cached object of createTraceMixin). pino serializes a child's bindings once, with the logger's
 * serializers and redaction, so every line of one span after the first writes the fields without
 * serializing them again and without copying an object (a mixin's fields are merged and printed
 * on every line: measured slower, see bench/comparisons/log-line.ts). The fields land after the
 * logger's own bindings and before the call's fields, where a mixin's would.
 *
 * One child is kept per logger: the one of the last context (every line of a span, or of a
 * request, reuses it). It is made again when the context or the logger's bindings change.
 */
export interface ContextChild {
  /** The logger writing the line. */
  logger: Logger;
  /** True when its line holds a key twice: a context field the logger has bound too, or a key the logger binds twice. */
  repeated: boolean;
}

interface Slot extends ContextChild {
  /** The context fields {@link ContextChild.logger} is bound to. */
  fields: Readonly<Record<string, unknown>>;
  /** The parent's bound keys it was made from (setBindings() records new ones). */
  parent: BoundKeys;
}

const slots = new WeakMap<object, Slot>();

/**
 * `logger`'s child bound to `fields` (non-empty), kept while `fields` and `logger`'s bindings stay
 * the same. `parent` is boundKeysOf(logger).
 */
export function contextChildOf(
  logger: Logger,
  fields: Readonly<Record<string, unknown>>,
  parent: BoundKeys,
): ContextChild {
  const slot = slots.get(logger);
  if (slot !== undefined && slot.fields === fields && slot.parent === parent) return slot;
  let repeated = parent.repeated;
  for (const key in fields) if (fields[key] !== undefined && parent.keys.has(key)) repeated = true;
  const made: Slot = { logger: unwatchedChild(logger, fields), repeated, fields, parent };
  slots.set(logger, made);
  return made;
}
