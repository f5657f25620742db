import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { METRIC_CATALOG } from '../../src/metric-catalog.js';
import { dashboardArtifacts } from '../../src/operator-kit/artifacts.js';
import { builtDashboardArtifacts } from '../../src/operator-kit/built-dashboards.js';
import { dashboardSpecs } from '../../src/operator-kit/dashboards/index.js';
import { by, selector } from '../../src/operator-kit/promql.js';
import { alertingRules, recordingRules } from '../../src/operator-kit/rules.js';

// The spec's "Grafana Dashboards", transcribed: dashboard title and its panels in order.
const SPEC_DASHBOARDS: Record<string, string[]> = {
  'Cluster Overview': [
    'Cluster Health',
    'Node Map',
    'Resource Utilization',
    'Task Throughput',
    'Queue Depth',
    'Consensus Status',
  ],
  'Task Execution': [
    'Task Status Distribution',
    'Task Latency Heatmap',
    'Task Throughput by Tenant',
    'Failure Rate',
    'Retry Distribution',
    'Top Errors',
  ],
  'Tenant Isolation': [
    'Resource Usage by Tenant',
    'Quota Utilization',
    'Rate Limit Status',
    'Task Count by Tenant',
    'Cost per Tenant',
  ],
  'TEE Operations': [
    'Attestation Success Rate',
    'Attestation Latency',
    'Active Enclaves',
    'Proof Generation Rate',
    'Platform Distribution',
  ],
};

// Not in the spec: the package's own pipeline (its self-metrics), after the spec's four.
const PIPELINE_DASHBOARD: Record<string, string[]> = {
  'Observability Pipeline': [
    'Spans Exported',
    'Spans Failed by Reason',
    'Spans Dropped by Reason',
    'Measurements Rejected by Metric',
    'Tenant Overflow by Metric',
    'Tenant Not Propagated by Reason',
    'Tenants Admitted vs Limit',
  ],
};

interface PanelJson {
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: {
    defaults?: { unit?: string; thresholds?: { mode: string; steps: Array<{ value: number | null; color: string }> } };
  };
  targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }>;
}

interface DashboardJson {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: {
    list: Array<{
      name: string;
      type: string;
      query?: unknown;
      includeAll?: boolean;
      multi?: boolean;
      allValue?: string;
    }>;
  };
  panels: PanelJson[];
}

const dashboards = (): DashboardJson[] =>
  dashboardArtifacts().map((artifact) => JSON.parse(artifact.content) as DashboardJson);

const CATALOG_NAMES = new Set(METRIC_CATALOG.map((d) => d.name));
const SERIES_SUFFIX = /(_bucket|_sum|_count)$/;

describe('Grafana dashboards', () => {
  it('are the spec four dashboards with every panel it lists, by title and in order, then the pipeline one', () => {
    const titles = dashboards().map((d) => [d.title.replace(/^Grey \/ /, ''), d.panels.map((p) => p.title)]);
    assert.deepEqual(titles, Object.entries({ ...SPEC_DASHBOARDS, ...PIPELINE_DASHBOARD }));
  });

  it('give the package own metrics a panel each (every observability metric of the catalog is queried)', () => {
    const pipeline = dashboards().find((d) => d.uid === 'grey-observability-pipeline');
    assert.ok(pipeline);
    const queried = new Set(
      pipeline.panels.flatMap((p) =>
        (p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\bgrey_[a-z0-9_]+/g)].map((m) => m[0])),
      ),
    );
    assert.deepEqual(
      [...queried].sort(),
      METRIC_CATALOG.filter((d) => d.group === 'observability')
        .map((d) => d.name)
        .sort(),
    );
    for (const panel of pipeline.panels) {
      const description = panel.description ?? '';
      for (const { expr } of panel.targets ?? [])
        for (const [metric] of expr.matchAll(/\bgrey_[a-z0-9_]+/g))
          assert.ok(description.includes(metric), `${panel.title}: the description names ${metric}`);
    }
  });

  it('are valid dashboard JSON: schemaVersion, unique uid, datasource, job and (when used) tenant variables', () => {
    const uids = new Set<string>();
    for (const dashboard of dashboards()) {
      assert.ok(dashboard.schemaVersion >= 39, `${dashboard.title} schemaVersion ${dashboard.schemaVersion}`);
      assert.match(dashboard.uid, /^[a-z0-9-]{1,40}$/);
      assert.ok(!uids.has(dashboard.uid), dashboard.uid);
      uids.add(dashboard.uid);
      const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
      assert.equal(variables.datasource?.type, 'datasource');
      assert.equal(variables.datasource?.query, 'prometheus');
      // The tenant variable exactly where a panel filters by it.
      const filtersTenant = dashboard.panels.some((p) => (p.targets ?? []).some((t) => t.expr.includes('$tenant')));
      assert.equal('tenant' in variables, filtersTenant, `${dashboard.title}: tenant variable`);
      for (const name of filtersTenant ? ['job', 'tenant'] : ['job']) {
        const variable = variables[name];
        assert.equal(variable?.type, 'query', name);
        assert.equal(variable?.multi, true, name);
        assert.equal(variable?.includeAll, true, name);
        assert.equal(variable?.allValue, '.*', name);
        assert.match(String(variable?.query), new RegExp(`^label_values\\(.+, ${name}\\)$`));
      }
    }
  });

  it('give every panel a unit, thresholds, a place on the grid and queries on the selected data source', () => {
    for (const dashboard of dashboards()) {
      const cells = new Set<string>();
      for (const panel of dashboard.panels) {
        const where = `${dashboard.title} / ${panel.title}`;
        assert.ok(panel.fieldConfig?.defaults?.unit, `${where}: unit`);
        const steps = panel.fieldConfig?.defaults?.thresholds?.steps ?? [];
        assert.equal(panel.fieldConfig?.defaults?.thresholds?.mode, 'absolute', where);
        assert.ok(steps.length >= 1 && steps[0]?.value === null, `${where}: thresholds start with a base step`);
        assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, where);
        assert.ok((panel.targets ?? []).length >= 1, `${where}: queries`);
        for (const target of panel.targets ?? []) {
          assert.equal(target.datasource?.uid, '${datasource}', where);
          assert.match(target.refId, /^[A-Z]$/, where);
        }
        const { x, y, w, h } = panel.gridPos;
        assert.ok(x + w <= 24, `${where}: inside the 24-column grid`);
        for (let dx = 0; dx < w; dx++)
          for (let dy = 0; dy < h; dy++) {
            const cell = `${x + dx},${y + dy}`;
            assert.ok(!cells.has(cell), `${where}: overlaps another panel at ${cell}`);
            cells.add(cell);
          }
      }
    }
  });

  it('query only catalog metrics, each filtered by $job, and by $tenant when it has a tenant label', () => {
    const used = new Set<string>();
    for (const dashboard of dashboards()) {
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets ?? []) {
          for (const [, series, matchers] of expr.matchAll(/\b(grey_[a-z0-9_]+)(\{[^}]*\})?/g)) {
            const name = (series as string).replace(SERIES_SUFFIX, '');
            const metric = CATALOG_NAMES.has(series as string) ? (series as string) : name;
            assert.ok(CATALOG_NAMES.has(metric), `${panel.title}: ${series} is not a catalog metric`);
            used.add(metric);
            assert.match(matchers ?? '', /job=~"\$job"/, `${panel.title}: ${expr}`);
            const tenantAware = METRIC_CATALOG.find((d) => d.name === metric)?.tenantAware;
            assert.equal(/tenant=~"\$tenant"/.test(matchers ?? ''), tenantAware, `${panel.title}: ${expr}`);
          }
        }
      }
    }
    // Every metric added to back a panel is used by one.
    for (const definition of METRIC_CATALOG.filter((d) => d.backs !== undefined)) {
      assert.ok(used.has(definition.name), `${definition.name} backs ${definition.backs} but no panel uses it`);
    }
  });

  it('ship the dashboards the Foundation SDK builds from dashboardSpecs(), one file per uid', () => {
    assert.deepEqual(dashboardArtifacts(), builtDashboardArtifacts());
    assert.deepEqual(
      dashboardArtifacts().map((a) => a.path),
      dashboardSpecs().map((spec) => `${spec.uid}.json`),
    );
  });
});

describe('catalog-checked selectors', () => {
  it('fail generation for a metric missing from the catalog (a renamed metric cannot leave a panel behind)', () => {
    assert.throws(() => selector('grey_tasks_submited_total'), /not in METRIC_CATALOG/);
  });

  it('fail for an undeclared label, a series the type lacks, and an unknown aggregation label', () => {
    assert.throws(() => selector('grey_queue_depth', { match: { prio: 'high' } }), /has no label prio/);
    assert.throws(() => selector('grey_tasks_failed_total', { suffix: '_bucket' }), /has no series/);
    assert.throws(() => selector('grey_task_duration_seconds'), /has no series/);
    assert.throws(() => by('grey_queue_depth', ['region']), /has no label region/);
  });

  it('add $job to every metric and $tenant to tenant-aware ones in dashboard scope only', () => {
    assert.equal(
      selector('grey_queue_depth', { scope: 'dashboard' }),
      'grey_queue_depth{job=~"$job",tenant=~"$tenant"}',
    );
    assert.equal(selector('grey_consensus_term', { scope: 'dashboard' }), 'grey_consensus_term{job=~"$job"}');
    assert.equal(
      selector('grey_cluster_nodes_total', { match: { status: 'active' } }),
      'grey_cluster_nodes_total{status="active"}',
    );
  });
});

describe('docs/dashboards.md', () => {
  it('describes every panel, every alert and every metric a panel reads', () => {
    const page = readFileSync(new URL('../../../docs/dashboards.md', import.meta.url), 'utf8');
    for (const dashboard of dashboards()) {
      assert.ok(page.includes(`(\`${dashboard.uid}\`)`), dashboard.uid);
      for (const panel of dashboard.panels) {
        assert.match(page, new RegExp(`\\| ${panel.title} +\\|`), panel.title);
        for (const { expr } of panel.targets ?? [])
          for (const [series] of expr.matchAll(/\bgrey_[a-z0-9_]+/g)) {
            const name = CATALOG_NAMES.has(series) ? series : series.replace(SERIES_SUFFIX, '');
            assert.ok(page.includes(`\`${name}\``), `${panel.title}: ${name}`);
          }
      }
    }
    for (const rule of alertingRules()) assert.match(page, new RegExp(`\\| ${rule.alert} +\\|`), rule.alert);
    for (const rule of recordingRules()) assert.ok(page.includes(rule.record), rule.record);
  });
});
