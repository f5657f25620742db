import { listSchemaLeaves } from './schema.js';
import type { ObservabilityConfig } from './types.js';

/** A fresh copy of every schema default, shaped as the config. */
export function schemaDefaults(): ObservabilityConfig {
  const out: Record<string, unknown> = {};
  for (const { key, leaf } of listSchemaLeaves()) setPath(out, key, structuredClone(leaf.default));
  return out as unknown as ObservabilityConfig;
}

/** Sets `value` at a dotted `key` path, creating sections on the way. */
export function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const names = key.split('.');
  let node = target;
  for (const name of names.slice(0, -1)) {
    const next = node[name];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[name] = {};
    node = node[name] as Record<string, unknown>;
  }
  node[names[names.length - 1] as string] = value;
}

/** Reads the value at a dotted `key` path, or undefined. */
export function getPath(source: unknown, key: string): unknown {
  let node: unknown = source;
  for (const name of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, name)) return undefined;
    node = (node as Record<string, unknown>)[name];
  }
  return node;
}
