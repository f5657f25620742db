/**
 * The one-line startup: `node --import @grey/observability/register app.js`, or
 * `import '@grey/observability/register'` as the first import of the entry module.
 *
 * It registers the ESM loader hook the instrumentations need, then runs initObservability() with
 * the config from the environment (GREY_OBSERVABILITY_CONFIG, GREY_* and OTEL_* variables), and
 * warns (OBS_WARN_LATE_IMPORT) when the service loaded http or https before it.
 *
 * It never throws into the service: when the config is invalid or a part cannot start, it prints
 * the ObservabilityError (code, key, value, what was expected) to stderr and the service runs
 * without telemetry. Importing this module is the only side effect it has; it is meant to be the
 * entry point, not a library import.
 */
import { describeLateImports, registerInstrumentationHooks } from './tracing/register-hooks.js';

/** The part of src/init.ts this entry uses. */
interface InitModule {
  initObservability(options?: { configFile?: string }): Promise<RegisterHandle>;
}

/** The part of the handle this entry uses: its logger, when there is one. */
interface RegisterHandle {
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
}

/** Where initObservability() lives, relative to this file. */
const INIT_MODULE = './init.js';

/**
 * Registers the hooks and starts observability; resolves whatever happens. Exported for tests and
 * for entry files that want to await it explicitly; importing the module already runs it once.
 */
export async function registerObservability(): Promise<boolean> {
  let hooks: ReturnType<typeof registerInstrumentationHooks> | undefined;
  try {
    hooks = registerInstrumentationHooks();
  } catch (err) {
    report('the ESM loader hook could not be registered; ESM modules will not be instrumented', err);
  }
  try {
    // Imported only now, after the loader hook: init pulls in node:http, which must be hooked first.
    const { initObservability } = (await import(INIT_MODULE)) as InitModule;
    const handle = await initObservability();
    if (hooks !== undefined) {
      await hooks.whenAcknowledged();
      if (hooks.lateModules.length > 0) warnLateImport(handle, hooks.lateModules);
    }
    return true;
  } catch (err) {
    report('observability did not start; the service runs without telemetry', err);
    return false;
  }
}

function warnLateImport(handle: RegisterHandle, modules: string[]): void {
  const message = describeLateImports(modules);
  if (handle.logger !== undefined) handle.logger.warn({ code: 'OBS_WARN_LATE_IMPORT', modules }, message);
  else process.emitWarning(message, { code: 'OBS_WARN_LATE_IMPORT' });
}

function report(what: string, err: unknown): void {
  const detail = err instanceof Error ? err.message : String(err);
  process.stderr.write(`@grey/observability: ${what}\n  ${detail.replace(/\n/g, '\n  ')}\n`);
}

await registerObservability();
