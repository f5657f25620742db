import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';

/** Modules the http instrumentation patches; loading them before the hooks defeats ESM patching. */
const PATCHED_BUILTINS = ['http', 'https'] as const;

/** What {@link installEsmLoaderHook} did. */
export interface EsmLoaderHook {
  /** False when the hooks were already registered by an earlier call in this process. */
  registered: boolean;
  /**
   * Modules that the service loaded before the hooks were registered: references to their
   * functions taken before tracing started are not patched. `undici`/fetch is not listed: its instrumentation uses diagnostics
   * channels and works whenever it is loaded.
   */
  lateModules: string[];
  /**
   * Resolves once the loader thread has acknowledged every module that the instrumentations
   * asked it to wrap; await it after the instrumentations are created and before the service's
   * own modules load.
   */
  whenAcknowledged(): Promise<void>;
}

const REGISTERED = Symbol.for('@grey/observability.instrumentation-hooks');
type HookSlot = { [REGISTERED]?: () => Promise<void> };

/**
 * Registers import-in-the-middle's ESM loader hook with `module.register()`, in "include only"
 * mode: only the modules the instrumentations hook are wrapped, so the hook adds almost nothing to
 * start-up. Must run before the service imports the modules to patch (`node --import
 * @grey/observability/register app.js` does that). Also reports which of those modules are already
 * loaded. Idempotent within a process.
 */
export function installEsmLoaderHook(): EsmLoaderHook {
  const lateModules = findLoadedModules();
  const slot = globalThis as HookSlot;
  const existing = slot[REGISTERED];
  if (existing !== undefined) return { registered: false, lateModules, whenAcknowledged: existing };
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  slot[REGISTERED] = waitForAllMessagesAcknowledged;
  return { registered: true, lateModules, whenAcknowledged: waitForAllMessagesAcknowledged };
}

/**
 * The patched built-in modules that are already loaded. Uses `process.moduleLoadList`, which
 * also lists built-ins linked by static ESM imports that have not run yet (the case of
 * `import '@grey/observability/register'` followed by `import http from 'node:http'`).
 */
function findLoadedModules(): string[] {
  const list = (process as unknown as { moduleLoadList?: unknown }).moduleLoadList;
  if (!Array.isArray(list)) return [];
  const loaded = new Set(list);
  return PATCHED_BUILTINS.filter((name) => loaded.has(`NativeModule ${name}`));
}

/** The warning text for {@link EsmLoaderHook.lateModules}. */
export function describeLateImports(modules: readonly string[]): string {
  return (
    `${modules.join(', ')} ${modules.length === 1 ? 'was' : 'were'} loaded before @grey/observability/register. ` +
    'Tracing patches the module objects once it starts, but a function copied out of them before that ' +
    '(`const { request } = require("http")` in a library loaded early) stays uninstrumented. ' +
    'Start with `node --import @grey/observability/register app.js`, or import the register module first ' +
    'in an entry file that loads the service with `await import()`.'
  );
}
