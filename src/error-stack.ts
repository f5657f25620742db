/**
 * Reading an error's stack for telemetry without changing how Node reports the error later.
 *
 * V8 keeps an error's call sites until its `stack` is first read, then keeps only the text. When
 * Node reports an unhandled rejection it takes the "file:line" header it prints (the source line
 * and the caret above the stack) from those call sites: once they are gone it shows its own
 * `node:internal/process/promises` line instead of the service's. So a span exception or a log
 * line that reads `error.stack` before Node reports the rejection moves the service's crash output
 * (issue 19, item 10).
 *
 * {@link readErrorStack} gets the same text without consuming the call sites, through the V8
 * stack trace API (https://v8.dev/docs/stack-trace-api): for the one read, `Error.prepareStackTrace`
 * is a function that formats the call sites with the formatter in place (Node's default, or the
 * service's own) and then throws, which leaves the error's stack unformatted. Where that API is
 * not available (no `Error.prepareStackTrace` function), the stack is read as usual.
 */

const STOP = Symbol('stack read');
let reading = false;

/**
 * The text `error.stack` gives (or will give), read without consuming the error's call sites;
 * undefined when there is no string stack or reading it throws. Never throws.
 */
export function readErrorStack(error: object): string | undefined {
  const prepare = Error.prepareStackTrace;
  if (reading || typeof prepare !== 'function') return plainRead(error);
  let text: unknown;
  let formatted = false;
  reading = true;
  Error.prepareStackTrace = function formatOnce(this: unknown, target: Error, callSites: NodeJS.CallSite[]): unknown {
    // Another error formatted meanwhile (by the formatter itself) is formatted as usual.
    if (target !== error || formatted) return prepare.call(this, target, callSites);
    formatted = true;
    text = prepare.call(this, target, callSites);
    throw STOP;
  };
  try {
    // Already formatted (or a plain `stack` property): the text comes back and the formatter is not called.
    const value = (error as { stack?: unknown }).stack;
    if (!formatted) text = value;
  } catch (thrown) {
    if (thrown !== STOP) text = undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    reading = false;
  }
  return typeof text === 'string' ? text : undefined;
}

function plainRead(error: object): string | undefined {
  try {
    const value = (error as { stack?: unknown }).stack;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
