/**
 * Start-up cost of tracing: wall time of a fresh Node process that imports the tracing part and
 * runs startTracing() then shutdown(), for a few configs. Each case runs in its own process
 * (module loading is what is measured) and is repeated; the median is printed, with the ratio to
 * a process that only imports the tracing part.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/tracing-startup.bench.js
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROUNDS = 7;
const here = dirname(fileURLToPath(import.meta.url));
const startUrl = pathToFileURL(join(here, '..', 'src', 'tracing', 'start-tracing.js')).href;
const configUrl = pathToFileURL(join(here, '..', 'test', 'support', 'config.js')).href;

const cases: Array<[string, string]> = [
  ['import only', ''],
  ['disabled', `{ opentelemetry: { enabled: false } }`],
  [
    'http/protobuf, no instrumentations',
    `{ opentelemetry: { enabled: true, exporter: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9', headers: {}, timeout_ms: 200 }, instrumentations: { http: false, fetch: false } } }`,
  ],
  [
    'grpc, no instrumentations',
    `{ opentelemetry: { enabled: true, exporter: { protocol: 'grpc', endpoint: 'http://127.0.0.1:9', headers: {}, timeout_ms: 200 }, instrumentations: { http: false, fetch: false } } }`,
  ],
  [
    'http/protobuf, http + fetch instrumentations',
    `{ opentelemetry: { enabled: true, exporter: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9', headers: {}, timeout_ms: 200 }, instrumentations: { http: true, fetch: true } } }`,
  ],
];

function script(overrides: string): string {
  const start = `const t0 = performance.now();`;
  const body =
    overrides === ''
      ? `await import('${startUrl}');`
      : `const { startTracing } = await import('${startUrl}'); const { testConfig } = await import('${configUrl}');
         const { pino } = await import('pino');
         const t = await startTracing(testConfig(${overrides}), pino({ level: 'silent' })); await t.shutdown(200);`;
  return `${start} ${body} process.stdout.write(String(performance.now() - t0));`;
}

const results: Array<[string, number]> = [];
for (const [label, overrides] of cases) {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '--eval', script(overrides)], {
      encoding: 'utf8',
      cwd: join(here, '..', '..'),
    });
    times.push(Number(out));
  }
  times.sort((a, b) => a - b);
  results.push([label, times[Math.floor(times.length / 2)] as number]);
}
const base = results[0]![1];
console.log(`median of ${ROUNDS} fresh processes; time from first import to shutdown done`);
for (const [label, ms] of results)
  console.log(`${label.padEnd(46)} ${ms.toFixed(0).padStart(5)} ms   x${(ms / base).toFixed(1)}`);
