import type { CliIo } from './check-config.js';
import { runWriteCommand } from './write-command.js';

const USAGE = `Usage: grey-observability rules --out DIR

  Writes the Prometheus recording and alerting rules (grey-rules.yml) and their promtool tests
  (grey-rules.test.yml) into DIR (created when missing). Load the rules with rule_files in
  prometheus.yml; after changing a threshold, run \`promtool test rules grey-rules.test.yml\` in DIR.
  See docs/dashboards.md.

Exit codes: 0 written, 1 write failed, 2 usage error.
`;

/** `grey-observability rules --out DIR` (args after the command name); returns the exit code. */
export function runRules(args: readonly string[], io: CliIo): Promise<number> {
  return runWriteCommand(USAGE, args, io, async () => (await import('../operator-kit/artifacts.js')).ruleArtifacts());
}
