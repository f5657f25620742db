/** Dotted key paths (`prometheus.auth.token`) into a config-shaped object. */

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

/** Reads the value at a dotted `key` path (own properties only), or undefined. */
export function getPath(source: unknown, key: string): unknown {
  let node: unknown = source;
  for (const name of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, name)) return undefined;
    node = (node as Record<string, unknown>)[name];
  }
  return node;
}

/** True when `key` is `section` or lies under it (`opentelemetry.exporter`, `opentelemetry.resource["x"]`). */
export function isUnder(key: string | undefined, section: string): boolean {
  return key !== undefined && (key === section || key.startsWith(`${section}.`) || key.startsWith(`${section}[`));
}
