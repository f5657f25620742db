import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { schemaDefaults } from '../../src/config/defaults.js';
import { ruleArtifacts } from '../../src/operator-kit/artifacts.js';
import { alertingRules, recordingRules, ruleFile } from '../../src/operator-kit/rules.js';
import { createTempDir } from '../support/temp-dir.js';
import { CASE_BUCKETS, COVERED_ALERTS, promtoolTests } from '../../src/operator-kit/rule-tests.js';

function promtool(args: string[], cwd: string): { code: number; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function writeRules(): { dir: string; remove: () => void } {
  const dir = createTempDir();
  for (const artifact of ruleArtifacts()) writeFileSync(join(dir.path, artifact.path), artifact.content);
  return { dir: dir.path, remove: () => dir.remove() };
}

describe('Prometheus rules', () => {
  it('pass promtool check rules with every rule of both groups', () => {
    const { dir, remove } = writeRules();
    try {
      const result = promtool(['check', 'rules', 'grey-rules.yml'], dir);
      assert.equal(result.code, 0, result.output);
      assert.match(
        result.output,
        new RegExp(`SUCCESS: ${recordingRules().length + alertingRules().length} rules found`),
      );
    } finally {
      remove();
    }
  });

  it('pass promtool test rules: each alert fires on its state, none on a healthy cluster, recorded values exact', () => {
    const { dir, remove } = writeRules();
    try {
      writeFileSync(join(dir, 'grey-rules.test.yml'), stringify(promtoolTests('grey-rules.yml')));
      const result = promtool(['test', 'rules', 'grey-rules.test.yml'], dir);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /SUCCESS/);
    } finally {
      remove();
    }
  });

  it('are covered by the promtool cases, alert by alert', () => {
    assert.deepEqual(
      alertingRules()
        .map((rule) => rule.alert)
        .sort(),
      [...COVERED_ALERTS].sort(),
    );
  });

  it('carry the spec names, a severity and summary, description and runbook_url on every alert', () => {
    assert.deepEqual(
      recordingRules()
        .map((rule) => rule.record)
        .filter((name) => !name.includes(':rate5m')),
      ['grey:task_success_rate:5m', 'grey:task_latency_p99:5m'],
    );
    for (const rule of alertingRules()) {
      assert.match(rule.labels.severity, /^(warning|critical)$/);
      assert.ok(rule.annotations.summary.length > 0, rule.alert);
      assert.ok(rule.annotations.description.length > 0, rule.alert);
      assert.match(rule.annotations.runbook_url, /^https:\/\/grey\.io\/runbooks\/[a-z-]+$/, rule.alert);
    }
  });

  it('are written as the YAML of ruleFile()', () => {
    assert.deepEqual(parse((ruleArtifacts()[0] as { content: string }).content), ruleFile());
  });

  it('state the p99 as an estimate from the buckets, and tell what to check when spans are lost', () => {
    const rules = alertingRules();
    const latency = rules.find((rule) => rule.alert === 'GreyHighTaskLatency')!;
    assert.match(latency.annotations.description, /is about \{\{ \$value \| humanizeDuration \}\}/);
    assert.match(latency.annotations.description, /estimated from the grey_task_duration_seconds buckets/);
    const spans = rules.find((rule) => rule.alert === 'GreyObservabilitySpansLost')!;
    for (const hint of [
      'opentelemetry.exporter.endpoint',
      'grey-observability doctor',
      'opentelemetry.enabled: false',
    ]) {
      assert.ok(spans.annotations.description.includes(hint), hint);
    }
  });

  it('see a p99 above 5 s with the default latency buckets, which reach 30 s', () => {
    const buckets = schemaDefaults().prometheus.latency_buckets;
    assert.ok(
      buckets.some((bound) => bound > 5),
      `default buckets ${buckets.join(', ')}`,
    );
    for (const bound of CASE_BUCKETS.filter((b) => b !== '+Inf').map(Number)) {
      assert.ok(buckets.includes(bound), `the cases' bound ${bound} is a default bound`);
    }
  });
});
