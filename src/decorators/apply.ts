import { ObservabilityError } from '../errors.js';
import { MethodSite } from './method-site.js';
import type { AnyMethod } from './types.js';
import { instrumentedBy, isInstrumented, originalOf, type WrapperKind } from './wrapper.js';

/**
 * Builds the instrumented replacement of one method; called once per decorated method. `source`
 * is the function being replaced (the method, or an @Instrument wrapper that @Task takes over),
 * whose name, length and metadata the replacement must keep.
 */
export type WrapMethod = (
  original: AnyMethod,
  key: string | symbol,
  site: MethodSite,
  fromClass: boolean,
  source: AnyMethod,
) => AnyMethod;

interface StandardContext {
  kind: string;
  name: string | symbol;
  static?: boolean;
  metadata?: unknown;
  addInitializer?: (initializer: (this: unknown) => void) => void;
}

/**
 * Applies a method decorator under whichever decorator standard called it, told apart by the
 * arguments: TC39 decorators pass `(value, context)` with `context.kind`; `experimentalDecorators`
 * pass `(prototype or class, key, descriptor)` for methods, `(class)` for classes. A method that
 * is already instrumented is returned as it is (no double wrapping). Anything but a method (or a
 * class, when `allowClass`) throws an `ObservabilityError` with code `OBS_ERR_DECORATOR_TARGET`.
 */
export function applyDecorator(
  decoratorName: WrapperKind,
  args: readonly unknown[],
  wrap: WrapMethod,
  allowClass: boolean,
): unknown {
  const [first, second, third] = args;
  if (args.length === 2 && isStandardContext(second)) {
    if (second.kind === 'method' && typeof first === 'function') {
      const site = new MethodSite(second.name);
      const replacement = wrapOnce(decoratorName, first as AnyMethod, second.name, site, wrap, false);
      // The class is not passed to a TC39 method decorator: a static method's initializer runs once
      // with `this` = the class; an instance method's runs at each construction with `this` = the
      // new instance, and the site takes the class from the first one only.
      if (replacement !== first) {
        const key = second.name;
        const metadata = second.metadata;
        if (second.static === true)
          second.addInitializer?.(function recordClass(this: unknown) {
            site.setOwner(this);
          });
        else
          second.addInitializer?.(function recordClassOfInstance(this: unknown) {
            site.resolveFromInstance(this, key, replacement, metadata);
          });
      }
      return replacement;
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
      descriptor.value = wrapOnce(
        decoratorName,
        descriptor.value as AnyMethod,
        second,
        new MethodSite(second, first),
        wrap,
        false,
      );
      return descriptor;
    }
    const kind = typeof descriptor === 'number' ? 'parameter' : descriptor === undefined ? 'field' : 'accessor';
    throw targetError(decoratorName, kind, second, allowClass);
  }
  throw targetError(decoratorName, 'unknown target', undefined, allowClass);
}

/**
 * One span per call: a method already instrumented is left as it is, except that @Task takes over
 * from an @Instrument wrapper (whichever order the two are written in, the task telemetry wins).
 */
function wrapOnce(
  decoratorName: WrapperKind,
  fn: AnyMethod,
  key: string | symbol,
  site: MethodSite,
  wrap: WrapMethod,
  fromClass: boolean,
): AnyMethod {
  if (!isInstrumented(fn)) return wrap(fn, key, site, fromClass, fn);
  if (decoratorName === 'Task' && instrumentedBy(fn) === 'Instrument')
    return wrap(originalOf(fn), key, site, fromClass, fn);
  return fn;
}

function instrumentClass(cls: object, wrap: WrapMethod): void {
  const prototype = (cls as { prototype?: object }).prototype;
  if (prototype === undefined) return;
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (descriptor === undefined || typeof descriptor.value !== 'function' || isInstrumented(descriptor.value))
      continue;
    const value = descriptor.value as AnyMethod;
    if (!isClass(value)) {
      Object.defineProperty(prototype, key, {
        ...descriptor,
        value: wrap(value, key, new MethodSite(key, cls), true, value),
      });
    }
  }
}

// Class-level instrumentation leaves classes stored on the prototype alone.
function isClass(fn: AnyMethod): boolean {
  return Function.prototype.toString.call(fn).startsWith('class');
}

function isStandardContext(value: unknown): value is StandardContext {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

function targetError(
  decoratorName: string,
  kind: string,
  name: string | symbol | undefined,
  allowClass: boolean,
): ObservabilityError {
  const what = name === undefined ? kind : `${kind} ${String(name)}`;
  const allowed = allowClass ? 'methods (instance or static) and classes' : 'methods (instance or static)';
  return new ObservabilityError(
    'OBS_ERR_DECORATOR_TARGET',
    `@${decoratorName} was applied to the ${what}; it can only decorate ${allowed}.`,
    {
      key: `@${decoratorName}`,
      expected:
        'the decorator on the method that does the work (for an accessor, on a method the accessor calls)',
    },
  );
}
