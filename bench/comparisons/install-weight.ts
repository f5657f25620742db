/**
 * `install_weight`: bytes of a consumer's node_modules (`du -sb`) after installing the packed
 * tarball of this package into an empty project together with @opentelemetry/api@^1.10.0, against
 * the hand-wired alternative of the other comparisons (@opentelemetry/api, sdk-node,
 * auto-instrumentations-node, prom-client, pino). Needs the npm registry (or its cache); run in
 * full mode only. One install of each: the figure does not vary between runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes, round3, type BenchResult } from '../harness.js';
import { REPO_ROOT } from './cold-start.js';

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function installedBytes(dependencies: string[], work: string, name: string): { bytes: number; packages: number } {
  const dir = join(work, name);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `weight-${name}`, version: '1.0.0', private: true }));
  npm(['install', '--no-audit', '--no-fund', '--omit=dev', ...dependencies], dir);
  const bytes = Number(execFileSync('du', ['-sb', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0]);
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  return { bytes, packages: Object.keys(lock.packages).filter((key) => key !== '').length };
}

/** Runs the install weight comparison. */
export function runInstallWeight(): BenchResult[] {
  const work = mkdtempSync(join(tmpdir(), 'grey-weight-'));
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const tarball = npm(['pack', '--pack-destination', work, '--silent'], REPO_ROOT).trim().split('\n').pop()!;
    const ours = installedBytes(['@opentelemetry/api@^1.10.0', join(work, tarball)], work, 'package');
    const theirs = installedBytes(
      [
        '@opentelemetry/api@^1.10.0',
        '@opentelemetry/sdk-node@0.301.0',
        `@opentelemetry/auto-instrumentations-node@${pkg.devDependencies['@opentelemetry/auto-instrumentations-node']}`,
        'prom-client@^15.1.3',
        'pino@^10.4.0',
      ],
      work,
      'baseline',
    );
    // Issue 20's careful hand-wired set: what the package replaces, and no more.
    const handwired = installedBytes(
      [
        '@opentelemetry/api@^1.10.0',
        '@opentelemetry/sdk-node@0.301.0',
        `@opentelemetry/instrumentation-http@${pkg.dependencies['@opentelemetry/instrumentation-http']}`,
        `@opentelemetry/instrumentation-undici@${pkg.dependencies['@opentelemetry/instrumentation-undici']}`,
        '@opentelemetry/exporter-trace-otlp-grpc@0.301.0',
        'prom-client@^15.1.3',
        'pino@^10.4.0',
      ],
      work,
      'handwired',
    );
    const ratio = round3(ours.bytes / theirs.bytes);
    const handwiredRatio = round3(ours.bytes / handwired.bytes);
    return [
      {
        name: 'install_weight',
        ratio_median: ratio,
        ratio_min: ratio,
        ratio_max: ratio,
        a_bytes_median: ours.bytes,
        b_bytes_median: theirs.bytes,
        notes:
          `bytes of node_modules (du -sb, npm install --omit=dev): the packed tarball + @opentelemetry/api@^1.10.0 ` +
          `${formatBytes(ours.bytes)} in ${ours.packages} packages, against @opentelemetry/api + sdk-node 0.301.0 + ` +
          `auto-instrumentations-node + prom-client + pino ${formatBytes(theirs.bytes)} in ${theirs.packages} packages. ` +
          'Aim (issue 8): package under 80 MB.',
        rounds: 1,
      },
      {
        name: 'install_weight@handwired',
        ratio_median: handwiredRatio,
        ratio_min: handwiredRatio,
        ratio_max: handwiredRatio,
        a_bytes_median: ours.bytes,
        b_bytes_median: handwired.bytes,
        notes:
          `the same package install (${formatBytes(ours.bytes)}, ${ours.packages} packages) against the hand-wired set ` +
          `@opentelemetry/api + sdk-node 0.301.0 + instrumentation-http + instrumentation-undici + ` +
          `exporter-trace-otlp-grpc 0.301.0 + prom-client + pino: ${formatBytes(handwired.bytes)} in ` +
          `${handwired.packages} packages. Aim (issue 20) <= 1.0.`,
        rounds: 1,
      },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
