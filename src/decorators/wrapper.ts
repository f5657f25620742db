import type { AnyMethod } from './types.js';

/**
 * Marks an instrumented method; its value is the original method. Registered globally so that two
 * copies of this package (ESM and CommonJS, or two versions) still never wrap a method twice.
 */
export const INSTRUMENTED = Symbol.for('@grey/observability.instrumented');

/** Marks which decorator made a wrapper: `Task` or `Instrument`. */
export const INSTRUMENTED_BY = Symbol.for('@grey/observability.instrumented_by');

/** The decorators that make wrappers. */
export type WrapperKind = 'Task' | 'Instrument';

/** True when `fn` is already a wrapper made by @Task or @Instrument. */
export function isInstrumented(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[INSTRUMENTED] !== undefined;
}

/** Which decorator made the wrapper `fn`, or undefined when it is not one. */
export function instrumentedBy(fn: unknown): WrapperKind | undefined {
  return typeof fn === 'function'
    ? (fn as unknown as Record<symbol, WrapperKind | undefined>)[INSTRUMENTED_BY]
    : undefined;
}

/** The method a wrapper was made from (or `fn` itself when it is not a wrapper). */
export function originalOf<T extends AnyMethod>(fn: T): T {
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
