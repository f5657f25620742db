import { context, createContextKey, type Context } from '@opentelemetry/api';

/**
 * Context key under which extra log fields travel with the active OpenTelemetry context. The
 * decorators put `@Instrument({ fields })` values here; the logger's trace mixin adds them to every
 * line written inside the call.
 */
const LOG_FIELDS_KEY = createContextKey('@grey/observability.log_fields');

/** Extra fields carried by the context: plain JSON-able values only. */
export type LogFields = Readonly<Record<string, string | number | boolean>>;

/**
 * Returns `ctx` (default: the active context) with `fields` added to the log fields it already
 * carries. Fields of the inner call win over outer ones with the same name.
 */
export function setLogFields(fields: LogFields, ctx: Context = context.active()): Context {
  const outer = ctx.getValue(LOG_FIELDS_KEY) as LogFields | undefined;
  return ctx.setValue(LOG_FIELDS_KEY, outer === undefined ? fields : { ...outer, ...fields });
}

/** The log fields carried by `ctx`, or undefined. */
export function getLogFields(ctx: Context): LogFields | undefined {
  return ctx.getValue(LOG_FIELDS_KEY) as LogFields | undefined;
}
