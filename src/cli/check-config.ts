import { describeResourceNow } from '../tracing/resource.js';
import { getPath } from '../config/paths.js';
import { loadConfig, type ResolvedConfig, type ValueSource } from '../config/load.js';
import { mapEntryKey } from '../config/merge.js';
import { redactValue } from '../config/redact.js';
import { listSchemaLeaves } from '../config/schema.js';
import { isObservabilityError } from '../errors.js';
import { scrubUrlCredentials } from '../secrets/index.js';

/** Output streams and environment of one CLI run (injectable for tests). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** One printed row of the effective config. */
interface EffectiveValue {
  key: string;
  value: unknown;
  source: ValueSource['source'];
  origin: string;
}

/**
 * The effective config as rows, secrets redacted: one row per key, and one per entry of a map key
 * (headers, resource attributes) so each entry shows its own source.
 */
function describeEffectiveConfig(resolved: ResolvedConfig): EffectiveValue[] {
  const rows: EffectiveValue[] = [];
  for (const { key } of listSchemaLeaves()) {
    const value = getPath(resolved.config, key);
    const source = resolved.sources[key] ?? { source: 'default', origin: 'schema' };
    const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (!isMap || Object.keys(value).length === 0) {
      rows.push({ key, value: redactValue(key, value), ...source });
      continue;
    }
    const redacted = redactValue(key, value) as Record<string, unknown>;
    for (const name of Object.keys(value)) {
      const entryKey = mapEntryKey(key, name);
      rows.push({ key: entryKey, value: redacted[name], ...(resolved.sources[entryKey] ?? source) });
    }
  }
  return rows;
}

/**
 * `grey-observability check-config [file] [--json]`: validates the config that initObservability()
 * would use (the file, or the usual lookup when none is given) and prints every effective value with
 * its source. Returns the exit code: 0 valid, 1 invalid. Every unknown key, unset `${VAR}` and invalid
 * value of the file, the environment and the overrides is reported at once; `--json` lists them under
 * `problems`, each with its one-line `message`. A standard `OTEL_*` variable that cannot be used is
 * no error (the service starts without it): it is printed as a warning (`OBS_WARN_CONFIG_ENV_IGNORED`,
 * under `warnings` with `--json`) and the config is valid. Secrets are never printed: sensitive
 * keys show `[REDACTED]`, and the user name, password and secret query parameters of every URL
 * are replaced (src/secrets), in values, problems, warnings and messages.
 */
export function checkConfig(file: string | undefined, json: boolean, cliIo: CliIo): number {
  // Values are printed redacted (redactValue); the credentials of any URL quoted in a message
  // (an error of a parser or a format check) go as well, in text and JSON alike.
  const io: CliIo = {
    ...cliIo,
    stdout: (text) => cliIo.stdout(scrubUrlCredentials(text)),
    stderr: (text) => cliIo.stderr(scrubUrlCredentials(text)),
  };
  let resolved: ResolvedConfig;
  try {
    resolved = loadConfig({ configFile: file, env: io.env, cwd: io.cwd });
  } catch (err) {
    if (!isObservabilityError(err)) throw err;
    if (json) {
      // Every problem found, the first one (the error's own) included, for tools to read.
      const problems = [
        {
          message: err.summary,
          key: err.key,
          value: err.value,
          expected: err.expected,
        },
        ...err.others.map((other) => ({
          message: other.message,
          key: other.key,
          value: other.value,
          expected: other.expected,
        })),
      ];
      const omitted = err.omitted > 0 ? { omitted: err.omitted } : {};
      io.stdout(
        `${JSON.stringify({ valid: false, code: err.code, message: err.message, problems, ...omitted }, null, 2)}\n`,
      );
    }
    io.stderr(`invalid config\n${err.message}\n`);
    return 1;
  }
  const rows = describeEffectiveConfig(resolved);
  const warnings = resolved.warnings.map(({ code, variable, key, value, expected, message }) => ({
    code,
    variable,
    key,
    value,
    expected,
    message,
  }));
  // The identity spans and target_info will carry, as far as it is known without starting.
  const resource = describeResourceNow(resolved.config);
  if (json) {
    io.stdout(
      `${JSON.stringify({ valid: true, file: resolved.file ?? null, warnings, values: rows, resource }, null, 2)}\n`,
    );
    return 0;
  }
  io.stdout(`config is valid\nfile: ${resolved.file ?? '(none: built-in defaults)'}\n\n`);
  if (warnings.length > 0) {
    io.stdout(`${warnings.length} warning${warnings.length === 1 ? '' : 's'}:\n`);
    for (const warning of warnings) io.stdout(`  ${warning.code}: ${warning.message}\n`);
    io.stdout('\n');
  }
  const width = Math.max(...rows.map((row) => row.key.length));
  for (const row of rows) {
    const origin = row.source === 'default' ? 'default' : `${row.source} ${row.origin}`;
    io.stdout(`${row.key.padEnd(width)}  ${JSON.stringify(row.value)}  [${origin}]\n`);
  }
  io.stdout(
    `\nresource (detected now; ${resource.pending.length > 0 ? `${resource.pending.join(', ')} read at start` : 'nothing more at start'}):\n`,
  );
  for (const [name, value] of Object.entries(resource.attributes)) io.stdout(`  ${name} = ${JSON.stringify(value)}\n`);
  return 0;
}
