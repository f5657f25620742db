/**
 * Profiling aid for the task_call comparison (not part of `npm run bench`): runs `argv[4]` calls
 * (default 100,000) of an async method under @Task, started through initObservability() at ratio
 * `argv[2]` (default 0) with error capture `on` or `off` (argv[3]), no sink (export fails quietly),
 * so that `node --cpu-prof dist/bench/probes/task-call-profile.js 0 on` shows the decorated side alone.
 */
import { context, propagation, type Context } from '@opentelemetry/api';
import { Task, TENANT_BAGGAGE_KEY, initObservability } from '../../src/index.js';
import { isolatedConfigSource } from '../config-source.js';

const [ratioArg = '0', captureArg = 'on', callsArg = '100000'] = process.argv.slice(2);

async function work(n: number): Promise<number> {
  return n * 2 + 1;
}

class Worker {
  @Task({ type: 'stateless' })
  run(job: { taskId: string; n: number }): Promise<number> {
    return work(job.n);
  }
}

const handle = await initObservability({
  ...isolatedConfigSource(),
  overrides: {
    service: { name: 'bench' },
    prometheus: { enabled: false },
    logging: { level: 'info', destination: '/dev/null' },
    opentelemetry: {
      enabled: true,
      exporter: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9', headers: {}, timeout_ms: 1000 },
      sampling: {
        strategy: 'parent_based_traceid_ratio',
        ratio: Number(ratioArg),
        error_capture: {
          enabled: captureArg === 'on',
          max_traces: 1000,
          max_spans_per_trace: 256,
          max_buffered_spans: 10_000,
        },
      },
      instrumentations: { http: false, fetch: false },
    },
  },
});
const worker = new Worker();
const jobs = Array.from({ length: 64 }, (_, i) => ({ taskId: `task-${i}`, n: i }));
const tenants: Context[] = Array.from({ length: 8 }, (_, i) =>
  propagation.setBaggage(
    context.active(),
    propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: `tenant-${i}` } }),
  ),
);
let cpu = 0;
const calls = Number(callsArg);
for (let done = 0; done < calls; done += 100) {
  const start = process.cpuUsage();
  // One call after the other, as bench/harness.ts timeCalls() runs them.
  for (let i = done; i < done + 100; i++) await context.with(tenants[i % 8]!, () => worker.run(jobs[i % 64]!));
  const used = process.cpuUsage(start);
  cpu += used.user + used.system;
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(
  `ratio ${ratioArg}, error capture ${captureArg}: ${((cpu * 1000) / calls).toFixed(0)} CPU ns per call\n`,
);
await handle.shutdown();
