/**
 * Runs one in-process comparison in its own process, so that each starts from a clean slate (one
 * initObservability() per process, no JIT or heap state left by another comparison), and prints
 * its results as the last line of stdout. Usage: worker.js <task_call|scrape|log_line> <param> <mode>.
 */
import type { BenchMode, BenchResult } from './harness.js';
import { runLogLine } from './comparisons/log-line.js';
import { runScrape } from './comparisons/scrape.js';
import { runTaskCall } from './comparisons/task-call.js';

const [kind, param = '', mode = 'full'] = process.argv.slice(2) as [string, string, BenchMode];
let results: BenchResult[];
if (kind === 'task_call') results = await runTaskCall(Number(param), mode);
else if (kind === 'task_call_no_capture') results = await runTaskCall(Number(param), mode, true);
else if (kind === 'scrape') results = await runScrape(Number(param), mode);
else if (kind === 'log_line') results = await runLogLine(mode);
else throw new Error(`unknown comparison ${kind}`);
process.stdout.write(`\n${JSON.stringify(results)}\n`);
// Pending exporter retries or timers of a variant must not keep the worker alive.
process.exit(0);
