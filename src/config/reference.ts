import { ErrorCodes } from '../errors.js';
import { WarningCodes } from '../warning-codes.js';
import { describeOtelVariables } from './otel-env.js';
import { listSchemaLeaves } from './schema.js';

/**
 * docs/config-reference.md, rendered from the schema: every key with its default, environment
 * variables and doc. `npm run docs` writes it; a test keeps it current.
 */
export function renderConfigReference(): string {
  const otel = describeOtelVariables();
  const lines = [
    '# Config reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Precedence: schema default < config file < environment < `initObservability({ overrides })`.',
    'Within the environment a `GREY_*` variable beats the standard `OTEL_*` one. Secrets are marked 🔒.',
    '',
    '| key | default | environment | description |',
    '| --- | --- | --- | --- |',
  ];
  for (const { key, leaf, env: name } of listSchemaLeaves()) {
    const env = [name, ...(otel.get(key) ?? [])].map((name) => `\`${name}\``).join('<br>');
    const lock = leaf.sensitive === true ? ' 🔒' : '';
    lines.push(
      `| \`${key}\`${lock} | \`${JSON.stringify(leaf.default)}\` | ${env} | ${leaf.doc.replaceAll('|', '\\|')} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * The config table of the keys under `sections` (dotted prefixes), for the pages of each part.
 * `npm run docs` writes it between `<!-- config:prometheus,tenancy:begin -->` and its `end` marker.
 */
function renderConfigTable(sections: readonly string[]): string {
  const lines = ['| key | default | environment | description |', '| --- | --- | --- | --- |'];
  for (const { key, leaf, env } of listSchemaLeaves()) {
    if (!sections.some((section) => key === section || key.startsWith(`${section}.`))) continue;
    const lock = leaf.sensitive === true ? ' 🔒' : '';
    lines.push(
      `| \`${key}\`${lock} | \`${JSON.stringify(leaf.default)}\` | \`${env}\` | ${leaf.doc.replaceAll('|', '\\|')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The standard `OTEL_*` variables read, one row per key: the variables (signal-specific first, the
 * one used when it is usable) and the key they set. `npm run docs` writes it between
 * `<!-- otel-variables:begin -->` and `<!-- otel-variables:end -->`.
 */
function renderOtelVariableTable(): string {
  const lines = ['| variables (first usable one wins) | key |', '| --- | --- |'];
  for (const [key, names] of describeOtelVariables()) {
    lines.push(
      `| ${[...names]
        .reverse()
        .map((name) => `\`${name}\``)
        .join(', ')} | \`${key}\` |`,
    );
  }
  return lines.join('\n');
}

const CONFIG_TABLE = /(<!-- config:([\w.,]+):begin -->)[\s\S]*?(<!-- config:\2:end -->)/g;
const OTEL_TABLE = /(<!-- otel-variables:begin -->)[\s\S]*?(<!-- otel-variables:end -->)/g;

/** `page` with every marked config table (and table of standard variables) rendered afresh from the schema. */
export function updateConfigTables(page: string): string {
  return page
    .replace(
      CONFIG_TABLE,
      (_match, begin: string, sections: string, end: string) =>
        `${begin}\n${renderConfigTable(sections.split(','))}\n${end}`,
    )
    .replace(OTEL_TABLE, (_match, begin: string, end: string) => `${begin}\n${renderOtelVariableTable()}\n${end}`);
}

/** docs/errors.md's table of codes, rendered from {@link ErrorCodes} then {@link WarningCodes}. */
export function renderCodeTable(): string {
  const lines = ['| code | meaning |', '| --- | --- |'];
  for (const [code, meaning] of Object.entries({ ...ErrorCodes, ...WarningCodes }))
    lines.push(`| \`${code}\` | ${meaning} |`);
  return lines.join('\n');
}
