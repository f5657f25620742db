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

Exit codes: 0 valid, 1 invalid config, 2 usage error.
`;

/**
 * Runs the CLI with `args` (process.argv without node and the script); returns the exit code
 * (a promise for the commands that write files or probe the network).
 */
export function runCli(args: readonly string[], io: CliIo): number | Promise<number> {
  if (args[0] === 'dashboards') return runDashboards(args.slice(1), io);
  if (args[0] === 'rules') return runRules(args.slice(1), io);
  if (args[0] === 'monitoring') return runMonitoring(args.slice(1), io);
  const flags = args.filter((arg) => arg.startsWith('-'));
  const positional = args.filter((arg) => !arg.startsWith('-'));
  if (flags.includes('--help') || flags.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  const unknownFlag = flags.find((flag) => flag !== '--json');
  const [command, file, ...rest] = positional;
  if (command === 'doctor' && rest.length === 0 && flags.length === 0) return runDoctor(file, io);
  if (command !== 'check-config' || rest.length > 0 || unknownFlag !== undefined) {
    io.stderr(
      `${unknownFlag !== undefined ? `unknown option ${unknownFlag}\n` : command === undefined ? '' : `unknown command or argument: ${[command, file, ...rest].filter(Boolean).join(' ')}\n`}${USAGE}`,
    );
    return 2;
  }
  return checkConfig(file, flags.includes('--json'), io);
}
