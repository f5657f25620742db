/**
 * Where a decorated method lives: its key and, once known, its class. The qualified name
 * `Class.method` is computed once: at decoration for legacy decorators and static methods, at the
 * first call for instance methods under standard decorators (which are not told their class).
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
   * `Class.method`. When the class is not known yet, finds it from the receiver: the prototype in
   * `thisArg`'s chain that owns `wrapper` (so a subclass instance still names the defining class).
   */
  qualifiedName(thisArg: unknown, key: string | symbol, wrapper: unknown): string {
    if (this.qualified !== undefined) return this.qualified;
    const owner = findOwner(thisArg, key, wrapper);
    if (owner === undefined) return this.methodName;
    this.setOwner(owner);
    return this.qualified as unknown as string;
  }
}

function classNameOf(owner: unknown): string {
  const cls = typeof owner === 'function' ? owner : (owner as { constructor?: unknown } | null)?.constructor;
  const name = (cls as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous';
}

function findOwner(thisArg: unknown, key: string | symbol, wrapper: unknown): unknown {
  if (thisArg === null || (typeof thisArg !== 'object' && typeof thisArg !== 'function')) return undefined;
  for (let proto: object | null = thisArg as object; proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.getOwnPropertyDescriptor(proto, key)?.value === wrapper) return proto;
  }
  // A private method (#run) is not a property: name it after the receiver's class.
  return thisArg;
}
