/**
 * Profiling aid for the task_call comparison (not part of `npm run bench`): runs `argv[4]` calls
 * (default 100,000) of the comparison's @Task method, its package side started as the comparison
 * starts it (bench/comparisons/task-call.ts) at ratio `argv[2]` (default 0) with error capture `on`
 * or `off` (argv[3]), exporting to a live sink in another process, so that
 * `node --cpu-prof dist/bench/probes/task-call-profile.js 0 on` shows the decorated side alone.
 * `argv[5]` = `quiet` profiles the method without its two log lines (`logs: 'none'`).
 */
import { Worker, WorkerWithoutLogs, startPackageSide, tenantCalls } from '../comparisons/task-call.js';
import { startOtlpSink } from '../otlp-sink.js';

const [ratioArg = '0', captureArg = 'on', callsArg = '100000', logsArg = 'logs'] = process.argv.slice(2);

const sink = await startOtlpSink();
const handle = await startPackageSide(Number(ratioArg), captureArg === 'off', sink.endpoint);
const worker = logsArg === 'quiet' ? new WorkerWithoutLogs() : new Worker();
const decorated = tenantCalls()((job) => worker.run(job));
let cpu = 0;
const calls = Number(callsArg);
for (let done = 0; done < calls; done += 100) {
  const start = process.cpuUsage();
  // One call after the other, as bench/harness.ts timeCalls() runs them.
  for (let i = done; i < done + 100; i++) await decorated(i);
  const used = process.cpuUsage(start);
  cpu += used.user + used.system;
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(
  `ratio ${ratioArg}, error capture ${captureArg}, ${logsArg}: ${((cpu * 1000) / calls).toFixed(0)} CPU ns per call\n`,
);
await handle.shutdown();
sink.stop();
