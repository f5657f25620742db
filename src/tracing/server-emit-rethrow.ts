import { createRequire } from 'node:module';

/**
 * Crash output of a throwing request listener (issue 19, item 10; src/decorators/call-end.ts,
 * "Crash output"). instrumentation-http wraps `Server.prototype.emit` of node:http and node:https
 * and, when a listener throws synchronously, ends its span and throws the error again from its own
 * code (`safeExecuteInTheMiddle`). Node's uncaught-exception header (file, line, source, caret)
 * names the place an error was last thrown, so it would name that dependency line instead of the
 * service's. This module puts one pass-through wrapper on top of the instrumentation's: it throws
 * the same error again from a line that carries Node's marker `node-do-not-add-exception-line`
 * (src/node_errors.cc GetErrorSource), so Node prints no header and the first place it prints is
 * the stack's first frame, the service's line. Values, `this`, return values, the error object
 * and its stack pass through unchanged; the exit code is the same.
 *
 * The wrapper is installed after the instrumentation patched (start) and taken off before it is
 * disabled (shutdown), so the instrumentation's own unwrap finds its wrapper on top. A wrapper
 * that someone else put above ours since is left in place, ours under it staying a pass-through.
 */

type Emit = (this: unknown, ...args: unknown[]) => boolean;

interface Installed {
  prototype: { emit: Emit };
  inner: Emit;
  wrapper: Emit;
}

/** Wraps `emit` of node:http's and node:https's Server prototypes; returns the function that takes them off. */
export function markServerEmitRethrow(): () => void {
  const require = createRequire(import.meta.url);
  const prototypes = [
    (require('node:http') as typeof import('node:http')).Server.prototype,
    (require('node:https') as typeof import('node:https')).Server.prototype,
  ] as unknown as Array<{ emit: Emit }>;
  const installed: Installed[] = prototypes.map((prototype) => {
    const inner = prototype.emit;
    const wrapper: Emit = function emit(this: unknown, ...args: unknown[]): boolean {
      // eslint-disable-next-line no-useless-catch -- the marked rethrow is the point (see above)
      try {
        return Reflect.apply(inner, this, args) as boolean;
      } catch (error) {
        throw error; // node-do-not-add-exception-line (the listener's error, unchanged: see the header above)
      }
    };
    prototype.emit = wrapper;
    return { prototype, inner, wrapper };
  });
  return () => {
    for (const { prototype, inner, wrapper } of installed) {
      if (prototype.emit === wrapper) prototype.emit = inner;
    }
  };
}
