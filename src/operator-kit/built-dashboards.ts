/**
 * Build time only (`npm run monitoring`, the repository's tests): the dashboards built from their
 * specs with the Grafana Foundation SDK, and everything committed under `monitoring/`. Nothing a
 * service or the CLI loads imports this module: the SDK is a dev dependency, and the CLI reads the
 * shipped JSON (artifacts.ts, dashboardArtifacts()).
 */
import { ruleArtifacts, type Artifact } from './artifacts.js';
import { buildDashboard } from './dashboard-builder.js';
import { dashboardSpecs } from './dashboards/index.js';

/** The dashboards built from dashboardSpecs(), one `<uid>.json` each: what monitoring/grafana/ holds. */
export function builtDashboardArtifacts(): Artifact[] {
  return dashboardSpecs().map((spec) => ({
    path: `${spec.uid}.json`,
    content: `${JSON.stringify(buildDashboard(spec), null, 2)}\n`,
  }));
}

/**
 * Everything committed under `monitoring/` and shipped in the package: `grafana/` (the built
 * dashboards) and `prometheus/` (the rule file and its promtool tests). The rest of the operator
 * kit is written by `grey-observability monitoring --out DIR` from the operator's flags.
 */
export function monitoringArtifacts(): Artifact[] {
  const under = (folder: string, artifacts: Artifact[]): Artifact[] =>
    artifacts.map((artifact) => ({ ...artifact, path: `${folder}/${artifact.path}` }));
  return [...under('grafana', builtDashboardArtifacts()), ...under('prometheus', ruleArtifacts())];
}
