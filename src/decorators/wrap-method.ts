/**
 * How a method is wrapped, in one place: which decorator standard called (TC39 `(value, context)`
 * or `experimentalDecorators` `(target, key, descriptor)`), where the method lives (its class, for
 * the span name), and how the wrapper is made to look like the method it replaces (name, length,
 * own properties, reflect-metadata) and marked so that it is never wrapped twice.
 */
import { ObservabilityError } from '../errors.js';
import type { AnyMethod } from './types.js';

/**
 * Marks an instrumented method; its value is the original method. Registered globally so that two
 * copies of this package (ESM and CommonJS, or two versions) still never wrap a method twice.
 */
const INSTRUMENTED = Symbol.for('@grey/observability.instrumented');

/** Marks which decorator made a wrapper: `Task` or `Instrument`. */
const INSTRUMENTED_BY = Symbol.for('@grey/observability.instrumented_by');

/** The decorators that make wrappers. */
export type WrapperKind = 'Task' | 'Instrument';

/** True when `fn` is already a wrapper made by @Task or @Instrument. */
export function isInstrumented(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[INSTRUMENTED] !== undefined;
}

/** Which decorator made the wrapper `fn`, or undefined when it is not one. */
function instrumentedBy(fn: unknown): WrapperKind | undefined {
  return typeof fn === 'function'
    ? (fn as unknown as Record<symbol, WrapperKind | undefined>)[INSTRUMENTED_BY]
    : undefined;
}

/** The method a wrapper was made from (or `fn` itself when it is not a wrapper). */
function originalOf<T extends AnyMethod>(fn: T): T {
  return ((fn as unknown as Record<symbol, unknown>)[INSTRUMENTED] as T | undefined) ?? fn;
}

interface MetadataReflect {
  getOwnMetadataKeys?: (target: object) => unknown[];
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
}

const NOT_COPIED = new Set<PropertyKey>(['length', 'name', 'prototype', 'arguments', 'caller']);

/**
 * Makes `wrapper` look like `source` (the method it replaces): same `name` and `length`, the same
 * own properties, and the same reflect-metadata entries (NestJS reads route and guard metadata
 * from the method function), then marks it as made by `kind` from `original`. Runs once, at
 * decoration.
 */
export function disguiseWrapper<T extends AnyMethod>(
  wrapper: T,
  source: AnyMethod,
  original: AnyMethod,
  kind: WrapperKind,
): T {
  Object.defineProperty(wrapper, 'name', { value: source.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: source.length, configurable: true });
  for (const key of Reflect.ownKeys(source)) {
    if (NOT_COPIED.has(key) || key === INSTRUMENTED || key === INSTRUMENTED_BY) continue;
    const descriptor = Object.getOwnPropertyDescriptor(source, key);
    if (descriptor !== undefined) Object.defineProperty(wrapper, key, descriptor);
  }
  copyReflectMetadata(source, wrapper);
  Object.defineProperty(wrapper, INSTRUMENTED, { value: original });
  Object.defineProperty(wrapper, INSTRUMENTED_BY, { value: kind });
  return wrapper;
}

function copyReflectMetadata(from: object, to: object): void {
  const reflect = Reflect as unknown as MetadataReflect;
  if (
    typeof reflect.getOwnMetadataKeys !== 'function' ||
    typeof reflect.getOwnMetadata !== 'function' ||
    typeof reflect.defineMetadata !== 'function'
  ) {
    return;
  }
  for (const key of reflect.getOwnMetadataKeys(from))
    reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to);
}

/**
 * Where a decorated method lives: its key and, once known, its class. The qualified name
 * `Class.method` is fixed once and never derived from the receiver of a call (a call such as
 * `Worker.prototype.run.call({})` must not rename the span): at decoration for legacy decorators,
 * class-level decorators and static methods; for instance methods under TC39 decorators, which are
 * not told their class, when the first instance is constructed (see {@link resolveFromInstance}).
 */
export class MethodSite {
  /** The method's display name: `run`, `#run` or `[Symbol(x)]`. */
  readonly methodName: string;
  private qualified: string | undefined;

  constructor(key: string | symbol, owner?: unknown) {
    this.methodName = typeof key === 'symbol' ? `[${key.description ?? ''}]` : key;
    if (owner !== undefined) this.setOwner(owner);
  }

  /** Records the class (or prototype) that owns the method. */
  setOwner(owner: unknown): void {
    this.qualified = `${classNameOf(owner)}.${this.methodName}`;
  }

  /**
   * Finds the class from the first instance being constructed (a TC39 method initializer runs with
   * `this` = the new instance, possibly of a subclass). In order: the class whose
   * `Symbol.metadata` is the decorator context's metadata object (exact, when `Symbol.metadata`
   * exists); the prototype in the instance's chain that holds `installed` under `key` (the defining
   * class, not the subclass); else the instance's class (private methods, or a method another
   * decorator wrapped again). Runs once; later constructions return at the first check. Never
   * throws (it runs inside the user's constructor).
   */
  resolveFromInstance(instance: unknown, key: string | symbol, installed: unknown, metadata: unknown): void {
    if (this.qualified !== undefined) return;
    if (instance === null || (typeof instance !== 'object' && typeof instance !== 'function')) return;
    try {
      this.setOwner(classWithMetadata(instance, metadata) ?? prototypeHolding(instance, key, installed) ?? instance);
    } catch {
      // A proxy in the prototype chain or a throwing `constructor` getter: this runs inside the
      // user's constructor and must not throw there. The bare method name is kept for good.
      this.qualified = this.methodName;
    }
  }

  /** `Class.method`, or just the method's name while its class is not known yet. */
  qualifiedName(): string {
    return this.qualified ?? this.methodName;
  }
}

function classNameOf(owner: unknown): string {
  const cls = typeof owner === 'function' ? owner : (owner as { constructor?: unknown } | null)?.constructor;
  const name = (cls as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous';
}

function classWithMetadata(instance: object, metadata: unknown): unknown {
  const metadataKey = (Symbol as { metadata?: symbol }).metadata;
  if (metadataKey === undefined || metadata === null || typeof metadata !== 'object') return undefined;
  let cls: unknown = (instance as { constructor?: unknown }).constructor;
  while (typeof cls === 'function') {
    if (
      Object.prototype.hasOwnProperty.call(cls, metadataKey) &&
      (cls as unknown as Record<symbol, unknown>)[metadataKey] === metadata
    )
      return cls;
    cls = Object.getPrototypeOf(cls);
  }
  return undefined;
}

function prototypeHolding(instance: object, key: string | symbol, installed: unknown): object | undefined {
  for (let proto: object | null = instance; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.getOwnPropertyDescriptor(proto, key)?.value === installed) return proto;
  }
  return undefined;
}

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
      expected: 'the decorator on the method that does the work (for an accessor, on a method the accessor calls)',
    },
  );
}
