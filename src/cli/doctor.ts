import { loadConfig, type ResolvedConfig } from '../config/load.js';
import { collectSecrets } from '../config/redact.js';
import { isObservabilityError } from '../errors.js';
import { scrubSecretText, secretNameMatcherFor } from '../secrets/index.js';
import type { CliIo } from './check-config.js';
import { checkCollector, checkProtocolPort } from './doctor-collector.js';
import { checkMetricsPort, renderScrapeConfig } from './doctor-metrics.js';
import { renderChecks, type DoctorCheck } from './doctor-report.js';

/**
 * `grey-observability doctor [file]`: loads the config that initObservability() would use, then
 * checks what can go wrong at run time and says how to fix each finding: the metrics port can be
 * bound, the exporter protocol agrees with the endpoint's port (4317 grpc, 4318 http/protobuf),
 * the collector takes one test span sent with the configured protocol and headers (latency, or
 * the error in words). Prints the Prometheus scrape config for the service.
 *
 * Resolves to the exit code: 0 healthy (warnings allowed), 1 a check failed or the config is
 * invalid. Secrets never reach the output: header values are not printed, and every secret value
 * of the config (URL credentials included) and the user name, password and secret query
 * parameters of every URL are scrubbed from what is printed (error messages of third-party clients
 * included), the config error of an invalid config too.
 */
export async function runDoctor(file: string | undefined, io: CliIo): Promise<number> {
  let resolved: ResolvedConfig;
  try {
    resolved = loadConfig({ configFile: file, env: io.env, cwd: io.cwd });
  } catch (err) {
    if (!isObservabilityError(err)) throw err;
    io.stderr(
      scrubSecretText(
        `FAIL config: ${err.message}\n       fix: npx grey-observability check-config shows every value and its source\n`,
        [],
      ),
    );
    return 1;
  }
  const { config } = resolved;
  const secrets = collectSecrets(config);
  const isSecret = secretNameMatcherFor(config);
  const out = (text: string) => io.stdout(scrubSecretText(text, secrets, isSecret));

  out(`config: ${resolved.file ?? '(none: built-in defaults)'}\n`);
  const checks: DoctorCheck[] = [await checkMetricsPort(config)];
  if (config.opentelemetry.enabled) {
    checks.push(checkProtocolPort(config), await checkCollector(config));
  } else {
    // Metrics-only mode: not a problem to fix. Nothing is exported, so the span counters stay at 0
    // and GreyObservabilitySpansLost stays quiet.
    checks.push({
      status: 'skip',
      title: 'collector',
      detail:
        'opentelemetry.enabled is false: tracing is off (metrics-only), no spans are exported and ' +
        'GreyObservabilitySpansLost stays quiet',
    });
  }
  out(renderChecks(checks));
  if (config.prometheus.enabled) out(`\n${renderScrapeConfig(config)}`);
  const failed = checks.filter((check) => check.status === 'fail').length;
  out(failed === 0 ? '\nhealthy\n' : `\n${failed} problem${failed === 1 ? '' : 's'} found\n`);
  return failed === 0 ? 0 : 1;
}
