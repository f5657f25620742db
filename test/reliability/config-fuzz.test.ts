/**
 * Issue 13 (d): config fuzzing. 10,000 generated YAML/JSON documents and environment combinations
 * go through loadConfig() (in a worker thread with a watchdog, so a hang is caught and named) and a
 * sample through initObservability(). Every failure must be an ObservabilityError with a listed
 * code and a bounded size (issue 18: a message under MESSAGE_BOUND characters, whatever the input),
 * and after a failed init nothing stays bound or registered. No case is timed: the watchdogs only
 * catch a true hang, far above any busy machine's time. The seed is printed;
 * RELIABILITY_SEED=<seed> reproduces a run.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { getObservability, initObservability } from '../../src/init.js';
import { ErrorCodes, isObservabilityError } from '../../src/errors.js';
import { getRuntime } from '../../src/runtime.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { generateCase } from './support/config-cases.js';
import { caseSeed } from './support/config-fuzz.js';
import { createPrng, runSeed } from './support/prng.js';

const CASES = 10_000;
const WORKERS = 2;
/** Characters an error message may have at most (bounded by construction, see errors.ts). */
const MESSAGE_BOUND = 16_384;
/** A worker whose current case does not move for this long is hung: it is terminated. A watchdog, not a time bound. */
const STALL_MS = 120_000;
const INIT_SAMPLE = 150;
/** An initObservability() that has not settled after this long is hung. A watchdog, not a time bound. */
const INIT_HANG_MS = 120_000;

interface WorkerResult {
  codes: Record<string, number>;
  failures: Array<{ index: number; recipe: string[]; problem: string }>;
  largest: { index: number; chars: number };
  warned: number;
}

function runWorker(seed: number, from: number, to: number, dir: string): Promise<WorkerResult> {
  const progress = new SharedArrayBuffer(4);
  const current = new Int32Array(progress);
  const worker = new Worker(new URL('./fixtures/config-fuzz-worker.js', import.meta.url), {
    workerData: { seed, from, to, dir, progress, messageBound: MESSAGE_BOUND },
  });
  return new Promise((resolve, reject) => {
    let last = -1;
    let lastMovedAt = performance.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(current, 0);
      if (now !== last) {
        last = now;
        lastMovedAt = performance.now();
      } else if (performance.now() - lastMovedAt > STALL_MS) {
        clearInterval(watchdog);
        void worker.terminate();
        reject(new Error(`seed ${seed}: case ${now} hung for more than ${STALL_MS} ms`));
      }
    }, 250);
    worker.once('message', (result: WorkerResult) => {
      clearInterval(watchdog);
      resolve(result);
    });
    worker.once('error', (error) => {
      clearInterval(watchdog);
      reject(new Error(`seed ${seed}: worker failed near case ${Atomics.load(current, 0)}: ${error.message}`));
    });
  });
}

/** The OpenTelemetry API's global registrations of this process (trace, context, propagation...). */
function otelGlobals(): string[] {
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
    Symbol.for('opentelemetry.js.api.1')
  ];
  return registry === undefined
    ? []
    : Object.keys(registry).filter((k) => k !== 'version' && registry[k] !== undefined);
}

function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length;
}

describe('config fuzzing', () => {
  const seed = runSeed();
  let dir: TempDir;

  before(() => {
    dir = createTempDir('grey-fuzz-');
    console.log(`# config fuzz seed ${seed} (reproduce with RELIABILITY_SEED=${seed})`);
  });
  after(() => dir.remove());

  it(`loadConfig() fails only with a coded ObservabilityError of bounded size, over ${CASES} cases`, async () => {
    const per = Math.ceil(CASES / WORKERS);
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => {
        const workerDir = join(dir.path, `w${w}`);
        return import('node:fs').then(({ mkdirSync }) => {
          mkdirSync(workerDir);
          return runWorker(seed, w * per, Math.min(CASES, (w + 1) * per), workerDir);
        });
      }),
    );
    const codes: Record<string, number> = {};
    for (const result of results)
      for (const [code, n] of Object.entries(result.codes)) codes[code] = (codes[code] ?? 0) + n;
    const failures = results.flatMap((r) => r.failures);
    const largest = results.map((r) => r.largest).sort((a, b) => b.chars - a.chars)[0];
    const warned = results.reduce((sum, r) => sum + r.warned, 0);
    console.log(
      `# outcomes ${JSON.stringify(codes)}; ${warned} valid with warnings; largest error case ${largest?.index} ${largest?.chars} characters`,
    );
    assert.deepEqual(
      failures.slice(0, 5),
      [],
      `seed ${seed}: ${failures.length} case(s) failed otherwise than with a coded, bounded ObservabilityError`,
    );
    assert.equal(
      Object.values(codes).reduce((a, b) => a + b, 0),
      CASES,
    );
    // The stream exercised both sides: valid configs and several kinds of rejection.
    assert.ok((codes.valid ?? 0) > 0);
    assert.ok(Object.keys(codes).filter((c) => c.startsWith('OBS_ERR_')).length >= 5, JSON.stringify(codes));
    // Unusable standard OTEL_* values were generated and ignored with a warning, not rejected.
    assert.ok(warned > 0);
  });

  it(`initObservability() on ${INIT_SAMPLE} cases leaves nothing bound or registered when it fails`, async () => {
    const serversBefore = listeningServers();
    const globalsBefore = otelGlobals();
    const log = join(dir.path, 'init.log');
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < INIT_SAMPLE; i++) {
      const index = CASES + i;
      const generated = generateCase(createPrng(caseSeed(seed, index)));
      let configFile: string | undefined;
      if (generated.ext !== undefined) {
        configFile = join(dir.path, `init${generated.ext}`);
        writeFileSync(configFile, generated.text);
      }
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        initObservability({
          configFile,
          env: generated.env,
          cwd: dir.path,
          // Servers in tests stay on loopback, and log lines go to a file of the test.
          overrides: { prometheus: { host: '127.0.0.1', port: 0 }, logging: { destination: log } },
        }).then(
          async (handle) => {
            await handle.shutdown();
            return 'valid';
          },
          (error: unknown) => {
            if (isObservabilityError(error) && error.code === 'OBS_ERR_INIT_FAILED')
              console.log(`# case ${index}: ${error.message} (cause: ${String((error.cause as Error)?.stack)})`);
            if (isObservabilityError(error) && error.message.length > MESSAGE_BOUND)
              return `${error.code} of ${error.message.length} characters`;
            if (isObservabilityError(error) && Object.hasOwn(ErrorCodes, error.code)) return error.code;
            return `other: ${(error as Error)?.name}: ${(error as Error)?.message}`;
          },
        ),
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve(`hung more than ${INIT_HANG_MS} ms`), INIT_HANG_MS);
        }),
      ]);
      clearTimeout(timer);
      const context = `seed ${seed}, case ${index}: ${generated.recipe.join('; ')}`;
      assert.ok(outcome === 'valid' || outcome.startsWith('OBS_ERR_'), `${context}: ${outcome}`);
      // OBS_ERR_INIT_FAILED wraps an error no part anticipated: bad config must have its own code.
      assert.notEqual(outcome, 'OBS_ERR_INIT_FAILED', context);
      assert.equal(getObservability(), undefined, context);
      assert.equal(getRuntime(), undefined, context);
      assert.equal(listeningServers(), serversBefore, `${context}: a port stayed bound`);
      assert.deepEqual(otelGlobals(), globalsBefore, `${context}: an OpenTelemetry global stayed registered`);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    console.log(`# init outcomes ${JSON.stringify(outcomes)}`);
    // After all those failures, a good config still starts.
    const handle = await initObservability({
      env: {},
      cwd: dir.path,
      overrides: { prometheus: { host: '127.0.0.1', port: 0 }, logging: { destination: log } },
    });
    await handle.shutdown();
  });
});
