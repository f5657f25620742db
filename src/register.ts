/**
 * The one-line startup: `node --import @grey/observability/register app.js`, or
 * `import '@grey/observability/register'` as the first import of the entry module.
 *
 * It registers the ESM loader hook the instrumentations need, then runs initObservability() with
 * the config from the environment (GREY_OBSERVABILITY_CONFIG, GREY_* and OTEL_* variables), and
 * warns (OBS_WARN_LATE_IMPORT) when the service loaded http or https before it.
 *
 * It never throws into the service, and telemetry that can start does: when only the
 * `opentelemetry` section of the config is invalid, or tracing cannot start, metrics and logs
 * still start (tracing off, one error line with the code in the service's log), and a metrics
 * endpoint that cannot listen leaves logs and tracing running. Standard `OTEL_*` variables that
 * cannot be used are warned about and ignored (OBS_WARN_CONFIG_ENV_IGNORED). Only when the config
 * is invalid elsewhere or the logger cannot start does it print the ObservabilityError (code, key,
 * value, what was expected) to stderr, and the service runs without telemetry. Importing this
 * module is the only side effect it has; it is meant to be the entry point, not a library import.
 *
 * It never changes how the service lives or dies (docs/tracing.md, "Process lifecycle"): nothing of
 * the package keeps the event loop alive; when the loop empties ('beforeExit') the finished spans
 * are flushed within `shutdown_timeout_ms` and the process ends; on SIGTERM or SIGINT, when the
 * service has no listener of its own, the spans are flushed within the same budget and the signal
 * is raised again with Node's default action (the same exit status as without the package); when
 * the service listens itself, the package leaves the signal to it. It never calls process.exit.
 */
import { flushLoggerSync } from './logging/create-logger.js';
import { scrubUrlCredentials } from './secrets/url-credentials.js';
import { describeLateImports, installEsmLoaderHook } from './tracing/esm-loader-hook.js';
import { warn } from './warnings.js';

/** The part of src/init.ts this entry uses (typed from it: a rename is a compile error). */
type InitModule = Pick<typeof import('./init.js'), 'startObservabilityForRegister'>;

/** The part of the handle this entry uses. */
interface RegisterHandle {
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
  shutdown(): Promise<void>;
}

/** The signals whose default action (terminate) the package keeps, flushing first. */
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Where initObservability() lives, relative to this file. */
const INIT_MODULE = './init.js';

/** Registers the hooks and starts observability; resolves whatever happens. Run once, at import. */
async function startFromImport(): Promise<boolean> {
  let hooks: ReturnType<typeof installEsmLoaderHook> | undefined;
  try {
    hooks = installEsmLoaderHook();
  } catch (err) {
    report('the ESM loader hook could not be registered; ESM modules will not be instrumented', err);
  }
  try {
    // Imported only now, after the loader hook: init pulls in node:http, which must be hooked first.
    const { startObservabilityForRegister } = (await import(INIT_MODULE)) as InitModule;
    const handle = await startObservabilityForRegister();
    flushWhenTheServiceEnds(handle);
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

/**
 * Flushes the finished spans when the service ends, without deciding when that is: at
 * 'beforeExit' (the event loop emptied: the shutdown's own timer holds it for at most
 * `shutdown_timeout_ms`, then the process exits as it would have), and on SIGTERM/SIGINT when the
 * package's listener is the only one (a listener suppresses Node's default exit, so the package
 * removes its own and raises the signal again once the spans are out). With a listener of the
 * service's own, the service decides; its shutdown() call or the loop emptying flushes.
 */
function flushWhenTheServiceEnds(handle: RegisterHandle): void {
  const flush = (): Promise<void> => handle.shutdown().catch(() => undefined);
  const stopListening = (): void => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  const onBeforeExit = (): void => {
    stopListening();
    void flush();
  };
  let raising = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listeners(signal).some((listener) => listener !== onSignal)) return;
    if (raising) {
      // A second signal during the flush: no more waiting.
      stopListening();
      process.kill(process.pid, signal);
      return;
    }
    raising = true;
    void flush().then(() => {
      stopListening();
      // The signal's default action ends the process at once: what pino still buffers goes first.
      flushLoggerSync(handle.logger);
      // Only the default action is left (unless the service added a listener meanwhile, which then
      // decides): the process ends by the signal, with the status it would have had without us.
      process.kill(process.pid, signal);
    });
  };
  process.on('beforeExit', onBeforeExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function warnLateImport(handle: RegisterHandle, modules: string[]): void {
  warn(handle.logger, 'OBS_WARN_LATE_IMPORT', 'register', {
    message: describeLateImports(modules),
    fields: { modules },
  });
}

/**
 * Prints why a part did not start. The package's own errors are scrubbed where they are made; any
 * other error's message (a library's, quoting a URL) has its URL credentials redacted here.
 */
function report(what: string, err: unknown): void {
  const detail = scrubUrlCredentials(err instanceof Error ? err.message : String(err));
  process.stderr.write(`@grey/observability: ${what}\n  ${detail.replace(/\n/g, '\n  ')}\n`);
}

await startFromImport();
