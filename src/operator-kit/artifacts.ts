import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { dashboardSpecs } from './dashboards/index.js';
import { promtoolTests } from './rule-tests.js';
import { ruleFile } from './rules.js';

/** One generated file: its path relative to the output folder and its content. */
export interface Artifact {
  path: string;
  content: string;
}

/** The header of every YAML file the package writes: where it comes from and how to change it. */
export const YAML_HEADER =
  '# Written by @grey/observability: `grey-observability monitoring --out DIR` (docs/dashboards.md).\n' +
  "# Its flags and the service's config set the values: re-run it to change them rather than edit.\n";

/**
 * YAML text of `documents` (several are joined as a multi-document stream) under
 * {@link YAML_HEADER} and `notes` (one `# ` comment line each, e.g. the placeholders left).
 */
export function yamlArtifact(
  path: string,
  documents: object | readonly object[],
  notes: readonly string[] = [],
): Artifact {
  const list = Array.isArray(documents) ? documents : [documents];
  const body = list.map((document: object) => stringify(document, { lineWidth: 0 })).join('---\n');
  return { path, content: `${YAML_HEADER}${notes.map((note) => `# ${note}\n`).join('')}${body}` };
}

/**
 * Where the package ships its dashboards: `monitoring/grafana/` of the package (from
 * dist/src/operator-kit/, three levels up), generated at build time by `npm run monitoring`
 * (built-dashboards.ts, with the Grafana Foundation SDK, a dev dependency only).
 */
const SHIPPED_DASHBOARDS = fileURLToPath(new URL('../../../monitoring/grafana/', import.meta.url));

/**
 * The Grafana dashboards (the spec's four and the pipeline's own), one JSON file each
 * (`<uid>.json`), as the package ships them. Read from the shipped files, so that a service's
 * install does not carry the Grafana Foundation SDK that builds them.
 */
export function dashboardArtifacts(): Artifact[] {
  // In the specs' order (the spec's four, then the pipeline's); the specs are plain data.
  return dashboardSpecs().map(({ uid }) => ({
    path: `${uid}.json`,
    content: readFileSync(join(SHIPPED_DASHBOARDS, `${uid}.json`), 'utf8'),
  }));
}

/**
 * The Prometheus rule file (recording and alerting rules) and its `promtool test rules` file
 * beside it (src/operator-kit/rule-tests.ts; run `promtool test rules grey-rules.test.yml` there).
 */
export function ruleArtifacts(): Artifact[] {
  return [
    yamlArtifact('grey-rules.yml', ruleFile()),
    yamlArtifact('grey-rules.test.yml', promtoolTests('grey-rules.yml')),
  ];
}

/**
 * Writes `artifacts` under `dir`; returns the paths written. Every folder is made first, so a
 * folder that cannot be made (a file in its place, no permission) fails before any file is
 * written. Throws the file system's error.
 */
export function writeArtifacts(dir: string, artifacts: readonly Artifact[]): string[] {
  const paths = artifacts.map((artifact) => join(dir, artifact.path));
  for (const folder of new Set(paths.map((path) => dirname(path)))) makeFolder(folder);
  return artifacts.map((artifact, index) => {
    const path = paths[index] as string;
    writeFileSync(path, artifact.content);
    return path;
  });
}

/**
 * Makes `folder` and its missing parents one level at a time. Not `mkdirSync(..., { recursive })`:
 * on a file system that answers mkdir oddly (procfs) that call never returns.
 */
function makeFolder(folder: string): void {
  const missing: string[] = [];
  let current = resolve(folder);
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) mkdirSync(path);
  if (!statSync(resolve(folder)).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, '${folder}'`), { code: 'ENOTDIR' });
  }
}
