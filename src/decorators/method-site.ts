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
