import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkConfig, type CliIo } from './check-config.js';
import { runDashboards } from './dashboards.js';
import { runDoctor } from './doctor.js';
import { runMonitoring } from './monitoring.js';
import { runRules } from './rules.js';

const USAGE = `Usage: grey-observability check-config [file] [--json]
       grey-observability doctor [file]

  check-config   Validate the config and print every effective value with its source
                 (default, file, env, override); secrets are redacted.
                 Without [file]: GREY_OBSERVABILITY_CONFIG, else observability.yaml|.yml|.json
                 in the working directory, else the built-in defaults.
  --json         Print the result as JSON.
  doctor         Check what can go wrong at run time and say how to fix it: the metrics port is
                 free, the exporter protocol matches the endpoint's port, the collector takes a
                 test span (latency or the error in words); print the Prometheus scrape config.
                 Exit 0 healthy, 1 not.

  monitoring --out DIR   Write the operator kit into DIR: Prometheus (scrape configs, rules and
                         their promtool tests), Alertmanager, Grafana, Kubernetes (monitors,
                         PrometheusRule, dashboard ConfigMaps, Deployment), Collector, Vector.
                         \`monitoring --help\` lists its flags.
  dashboards --out DIR   Write the Grafana dashboards (JSON) into DIR.
  rules --out DIR        Write the Prometheus rules and their promtool tests into DIR.

Exit codes: 0 success; 1 check-config: invalid config, doctor: a check failed, monitoring,
dashboards, rules: a write failed (monitoring: or an invalid config); 2 usage error.
`;

/**
 * Runs the CLI with `args` (process.argv without node and the script); returns the exit code
 * (a promise for the commands that write files or probe the network).
 */
export function runCli(args: readonly string[], io: CliIo): number | Promise<number> {
  const [command, ...rest] = args;
  if (command === 'dashboards') return runDashboards(rest, io);
  if (command === 'rules') return runRules(rest, io);
  if (command === 'monitoring') return runMonitoring(rest, io);
  if (command === undefined || command === '--help' || command === '-h') {
    (command === undefined ? io.stderr : io.stdout)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'check-config' && command !== 'doctor') {
    io.stderr(`unknown command: ${command}\n${USAGE}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(command, rest);
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    io.stderr(`unexpected argument: ${parsed.positionals.slice(1).join(' ')}\n${USAGE}`);
    return 2;
  }
  const [file] = parsed.positionals;
  if (command === 'doctor') return runDoctor(file, io);
  return checkConfig(file, parsed.values.json === true, io);
}

/** `check-config [file] [--json]` and `doctor [file]` by util.parseArgs (strict: unknown options throw). */
function parseCommand(command: 'check-config' | 'doctor', args: readonly string[]) {
  const options = {
    help: { type: 'boolean', short: 'h' },
    ...(command === 'check-config' ? { json: { type: 'boolean' } } : {}),
  } as const satisfies ParseArgsConfig['options'];
  return parseArgs({ args: [...args], options, strict: true, allowPositionals: true }) as {
    values: { help?: boolean; json?: boolean };
    positionals: string[];
  };
}
