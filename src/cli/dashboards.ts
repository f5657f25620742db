import type { CliIo } from './check-config.js';
import { runWriteCommand } from './write-command.js';

const USAGE = `Usage: grey-observability dashboards --out DIR

  Writes the Grafana dashboards (Cluster Overview, Task Execution, Tenant Isolation,
  TEE Operations, and Observability Pipeline for the package's own telemetry) as dashboard JSON
  files into DIR (created when missing). See docs/dashboards.md.

Exit codes: 0 written, 1 write failed, 2 usage error.
`;

/** `grey-observability dashboards --out DIR` (args after the command name); returns the exit code. */
export function runDashboards(args: readonly string[], io: CliIo): Promise<number> {
  return runWriteCommand(USAGE, args, io, async () =>
    (await import('../operator-kit/artifacts.js')).dashboardArtifacts(),
  );
}
