import { MethodSite } from './method-site.js';
import type { AnyMethod } from './types.js';
import { isInstrumented } from './wrapper.js';

/** Builds the instrumented replacement of one method; called once per decorated method. */
export type WrapMethod = (original: AnyMethod, key: string | symbol, site: MethodSite, fromClass: boolean) => AnyMethod;

interface StandardContext {
  kind: string;
  name: string | symbol;
  static?: boolean;
  addInitializer?: (initializer: (this: unknown) => void) => void;
}

/**
 * Applies a method decorator under whichever decorator standard called it, told apart by the
 * arguments: TC39 decorators pass `(value, context)` with `context.kind`; `experimentalDecorators`
 * pass `(prototype or class, key, descriptor)` for methods, `(class)` for classes. A method that
 * is already instrumented is returned as it is (no double wrapping). Anything but a method (or a
 * class, when `allowClass`) throws a `TypeError` carrying `OBS_ERR_DECORATOR_TARGET`.
 */
export function applyDecorator(decoratorName: string, args: readonly unknown[], wrap: WrapMethod, allowClass: boolean): unknown {
  const [first, second, third] = args;
  if (args.length === 2 && isStandardContext(second)) {
    if (second.kind === 'method' && typeof first === 'function') {
      const site = new MethodSite(second.name);
      if (second.static === true) second.addInitializer?.(function recordClass(this: unknown) { site.setOwner(this); });
      return isInstrumented(first) ? first : wrap(first as AnyMethod, second.name, site, false);
    }
    if (second.kind === 'class' && allowClass && typeof first === 'function') {
      instrumentClass(first, wrap);
      return undefined;
    }
    throw targetError(decoratorName, second.kind, second.name, allowClass);
  }
  if (args.length === 1 && typeof first === 'function') {
    if (!allowClass) throw targetError(decoratorName, 'class', first.name, allowClass);
    instrumentClass(first, wrap);
    return undefined;
  }
  const isKey = typeof second === 'string' || typeof second === 'symbol';
  if (isKey && first !== null && (typeof first === 'object' || typeof first === 'function')) {
    const descriptor = third as PropertyDescriptor | undefined | number;
    if (typeof descriptor === 'object' && descriptor !== null && typeof descriptor.value === 'function') {
      if (!isInstrumented(descriptor.value)) {
        descriptor.value = wrap(descriptor.value as AnyMethod, second, new MethodSite(second, first), false);
      }
      return descriptor;
    }
    const kind = typeof descriptor === 'number' ? 'parameter' : descriptor === undefined ? 'field' : 'accessor';
    throw targetError(decoratorName, kind, second, allowClass);
  }
  throw targetError(decoratorName, 'unknown target', undefined, allowClass);
}

function instrumentClass(cls: Function, wrap: WrapMethod): void {
  const prototype = (cls as { prototype?: object }).prototype;
  if (prototype === undefined) return;
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (descriptor === undefined || typeof descriptor.value !== 'function' || isInstrumented(descriptor.value)) continue;
    const value = descriptor.value as AnyMethod;
    if (isGeneratorOrPlainMethod(value)) {
      Object.defineProperty(prototype, key, { ...descriptor, value: wrap(value, key, new MethodSite(key, cls), true) });
    }
  }
}

// Class-level instrumentation leaves nested classes stored on the prototype alone.
function isGeneratorOrPlainMethod(fn: AnyMethod): boolean {
  return !Function.prototype.toString.call(fn).startsWith('class');
}

function isStandardContext(value: unknown): value is StandardContext {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

function targetError(decoratorName: string, kind: string, name: string | symbol | undefined, allowClass: boolean): TypeError {
  const what = name === undefined ? kind : `${kind} ${String(name)}`;
  const allowed = allowClass ? 'methods (instance or static) and classes' : 'methods (instance or static)';
  return new TypeError(
    `OBS_ERR_DECORATOR_TARGET: @${decoratorName} was applied to the ${what}; it can only decorate ${allowed}. ` +
      'Move it onto the method that does the work (for an accessor, onto a method the accessor calls).',
  );
}
