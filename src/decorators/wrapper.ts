import type { AnyMethod } from './types.js';

/**
 * Marks an instrumented method; its value is the original method. Registered globally so that two
 * copies of this package (ESM and CommonJS, or two versions) still never wrap a method twice.
 */
export const INSTRUMENTED = Symbol.for('@grey/observability.instrumented');

/** True when `fn` is already a wrapper made by @Task or @Instrument. */
export function isInstrumented(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[INSTRUMENTED] !== undefined;
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
 * Makes `wrapper` look like `original`: same `name` and `length`, the same own properties, and the
 * same reflect-metadata entries (NestJS reads route and guard metadata from the method function),
 * then marks it as instrumented. Runs once, at decoration.
 */
export function disguiseWrapper<T extends AnyMethod>(wrapper: T, original: AnyMethod): T {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  for (const key of Reflect.ownKeys(original)) {
    if (NOT_COPIED.has(key) || key === INSTRUMENTED) continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor !== undefined) Object.defineProperty(wrapper, key, descriptor);
  }
  copyReflectMetadata(original, wrapper);
  Object.defineProperty(wrapper, INSTRUMENTED, { value: original });
  return wrapper;
}

function copyReflectMetadata(from: object, to: object): void {
  const reflect = Reflect as unknown as MetadataReflect;
  if (typeof reflect.getOwnMetadataKeys !== 'function' || typeof reflect.getOwnMetadata !== 'function' || typeof reflect.defineMetadata !== 'function') {
    return;
  }
  for (const key of reflect.getOwnMetadataKeys(from)) reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to);
}
