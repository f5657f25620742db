/**
 * Child process of the start-up breakdown: loads one part (argv[2], see PARTS) in a fresh process
 * and prints `{ ms, modules }`: the wall time of loading (and, for the init parts, starting) it and
 * the files loaded meanwhile, by package. Files are counted with a module.registerHooks() load hook,
 * which sees both import and require.
 */
import { createRequire, registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const loaded = new Set<string>();
// Counting runs only: a load hook costs time on every file, so timing runs go without it.
if (process.argv[3] === 'count')
  registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith('file:')) loaded.add(fileURLToPath(url));
      return nextLoad(url, context);
    },
  });

const OFF = {
  env: {},
  overrides: { prometheus: { host: '127.0.0.1', port: 0 }, logging: { level: 'silent' as const } },
};

/** The parts: what each loads (and starts). */
const PARTS: Record<string, () => Promise<unknown>> = {
  'package import': () => import('../../src/index.js'),
  'init, tracing off': async () => {
    const { initObservability } = await import('../../src/index.js');
    const handle = await initObservability({
      ...OFF,
      overrides: { ...OFF.overrides, opentelemetry: { enabled: false } },
    });
    await handle.shutdown();
  },
  'init, defaults (grpc, http + fetch)': async () => {
    const { initObservability } = await import('../../src/index.js');
    const handle = await initObservability({
      ...OFF,
      overrides: {
        ...OFF.overrides,
        opentelemetry: { exporter: { protocol: 'grpc', endpoint: 'http://127.0.0.1:9', headers: {}, timeout_ms: 500 } },
      },
    });
    await handle.shutdown();
  },
  'init, http/protobuf, no instrumentations': async () => {
    const { initObservability } = await import('../../src/index.js');
    const handle = await initObservability({
      ...OFF,
      overrides: {
        ...OFF.overrides,
        opentelemetry: {
          exporter: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9', headers: {}, timeout_ms: 500 },
          instrumentations: { http: false, fetch: false },
        },
      },
    });
    await handle.shutdown();
  },
  'SDK: @opentelemetry/sdk-trace': () => import('@opentelemetry/sdk-trace'),
  'exporter http/protobuf: otlp-exporter-base + otlp-transformer': () =>
    Promise.all([
      import('@opentelemetry/otlp-exporter-base'),
      import('@opentelemetry/otlp-exporter-base/node-http'),
      import('@opentelemetry/otlp-transformer'),
    ]),
  'exporter grpc: the above + @grpc/grpc-js': () =>
    Promise.all([
      import('@opentelemetry/otlp-exporter-base'),
      import('@opentelemetry/otlp-transformer'),
      import('@grpc/grpc-js'),
    ]),
  'instrumentation http: instrumentation-http': () => import('@opentelemetry/instrumentation-http'),
  'instrumentation fetch: instrumentation-undici': () => import('@opentelemetry/instrumentation-undici'),
  'prom-client': () => import('prom-client'),
  pino: () => import('pino'),
  // The sdk-node that auto-instrumentations-node/register starts (its own dependency, 0.300.x).
  'baseline: @opentelemetry/sdk-node': () =>
    import(
      createRequire(require.resolve('@opentelemetry/auto-instrumentations-node')).resolve('@opentelemetry/sdk-node')
    ),
  'baseline: auto-instrumentations-node': () => import('@opentelemetry/auto-instrumentations-node'),
};

function packageOf(path: string): string {
  const at = path.lastIndexOf('/node_modules/');
  if (at === -1) return '@grey/observability';
  const [scopeOrName = '', name = ''] = path.slice(at + '/node_modules/'.length).split('/');
  return scopeOrName.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName;
}

const part = process.argv[2];
if (part === '--list') {
  process.stdout.write(`${JSON.stringify(Object.keys(PARTS))}\n`);
} else if (part !== undefined) {
  const load = PARTS[part];
  if (load === undefined) throw new Error(`unknown part ${part}`);
  const start = performance.now();
  await load();
  const ms = performance.now() - start;
  const modules: Record<string, number> = {};
  for (const file of loaded) modules[packageOf(file)] = (modules[packageOf(file)] ?? 0) + 1;
  process.stdout.write(`${JSON.stringify({ ms, modules })}\n`);
  process.exit(0);
}
