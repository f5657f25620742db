import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import type { SecretNameMatcher } from '../secrets/index.js';
import { censorSecretKeys } from './redaction.js';

/**
 * Where a logger of the package gets its bindings: the service identity (`base`), `child()` and
 * `setBindings()`. The package's loggers make children and add bindings through their public
 * `child` and `setBindings`, wrapped here (own properties of each logger the package made, so
 * nothing depends on how pino links a child to its parent), and the wrappers do two things on the
 * bindings given, once per child rather than once per line:
 *
 * - censor them with the rules of the call's fields (censorSecretKeys: secret-named keys, nested
 *   in plain objects and arrays too; the caller's objects are not changed): `child({ token })`,
 *   `child({ headers: { 'x-api-key': ... } })`;
 * - record which keys the new logger has bound, and whether one is bound twice (a child binding a
 *   name an ancestor bound, which pino writes twice), for the one-key-per-field rule.
 */

/** The keys a logger's bindings hold. Immutable: `setBindings()` records a new one. */
export interface BoundKeys {
  readonly keys: ReadonlySet<string>;
  /** True when the logger's line holds a bound key twice. */
  readonly repeated: boolean;
}

const boundByLogger = new WeakMap<object, BoundKeys>();
/** pino's own child() behind each wrapper watchBindings() installs. */
const pinoChildOf = new WeakMap<object, ChildFn>();
const NO_KEYS: BoundKeys = { keys: new Set(), repeated: false };

type ChildFn = (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger;
type SetBindingsFn = (this: Logger, bindings: Bindings) => void;

/**
 * Makes `logger` (a new root logger whose `base` is `base`) censor and record the bindings of
 * every child it makes and of every `setBindings()` call, on itself and on its descendants.
 * With `isSecret` undefined, bindings are recorded, not censored.
 */
export function watchBindings(
  logger: Logger,
  base: Readonly<Record<string, unknown>>,
  isSecret: SecretNameMatcher | undefined,
): void {
  const pinoChild = logger.child as unknown as ChildFn;
  const pinoSetBindings = logger.setBindings as SetBindingsFn;
  const censor = (bindings: Bindings): Bindings =>
    isSecret !== undefined && bindings !== null && typeof bindings === 'object'
      ? (censorSecretKeys(bindings, isSecret) as Bindings)
      : bindings;

  function child(this: Logger, bindings: Bindings, options?: ChildLoggerOptions): Logger {
    const censored = censor(bindings);
    const made = pinoChild.call(this, censored, options);
    boundByLogger.set(made, withKeys(boundKeysOf(this), censored));
    adopt(made);
    return made;
  }
  function setBindings(this: Logger, bindings: Bindings): void {
    const censored = censor(bindings);
    pinoSetBindings.call(this, censored);
    boundByLogger.set(this, withKeys(boundKeysOf(this), censored));
  }
  function adopt(target: Logger): void {
    const methods = target as unknown as { child: ChildFn; setBindings: SetBindingsFn };
    if (methods.child !== child) methods.child = child;
    if (methods.setBindings !== setBindings) methods.setBindings = setBindings;
  }

  pinoChildOf.set(child, pinoChild);
  boundByLogger.set(logger, withKeys(NO_KEYS, base));
  adopt(logger);
}

/**
 * A child of `logger` made by pino's own child(), its bindings neither censored nor recorded: for
 * the package's own fields (context-child.ts), whose keys its caller tracks.
 */
export function unwatchedChild(logger: Logger, bindings: Bindings): Logger {
  const child = logger.child as unknown as ChildFn;
  return (pinoChildOf.get(child) ?? child).call(logger, bindings);
}

/**
 * The keys `logger` has bound. A logger made otherwise than through {@link watchBindings} (none of
 * the package's) is read once with `logger.bindings()` and treated as repeating a key, so that
 * every line of it is checked.
 */
export function boundKeysOf(logger: Logger): BoundKeys {
  let bound = boundByLogger.get(logger);
  if (bound === undefined) {
    const keys = new Set(Object.keys(logger.bindings()));
    // bindings() leaves out pid and hostname, which the package's loggers always bind.
    keys.add('pid').add('hostname');
    bound = { keys, repeated: true };
    boundByLogger.set(logger, bound);
  }
  return bound;
}

/** `bound` plus the keys `bindings` writes (pino skips undefined values). */
function withKeys(bound: BoundKeys, bindings: Bindings): BoundKeys {
  let keys: Set<string> | undefined;
  let repeated = bound.repeated;
  for (const key in bindings) {
    if (!Object.hasOwn(bindings, key) || (bindings as Record<string, unknown>)[key] === undefined) continue;
    if (bound.keys.has(key)) repeated = true;
    (keys ??= new Set(bound.keys)).add(key);
  }
  return keys === undefined ? bound : { keys, repeated };
}
