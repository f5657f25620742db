// Writes the generated reference pages from the built code: docs/config-reference.md, the code
// table of docs/errors.md (between its markers) and the config tables of the other pages (between
// <!-- config:<sections>:begin/end --> markers). Run with `npm run docs` after a build.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderConfigReference, renderCodeTable, updateConfigTables } from '../dist/src/config/reference.js';

const docs = new URL('../docs/', import.meta.url);
for (const name of readdirSync(docs).filter((n) => n.endsWith('.md'))) {
  const page = new URL(name, docs);
  const text = readFileSync(page, 'utf8');
  const updated = updateConfigTables(text);
  if (updated !== text) writeFileSync(page, updated);
}

writeFileSync(new URL('../docs/config-reference.md', import.meta.url), renderConfigReference());
const errorsPath = new URL('../docs/errors.md', import.meta.url);
const errors = readFileSync(errorsPath, 'utf8');
const begin = '<!-- codes:begin -->';
const end = '<!-- codes:end -->';
const updated = `${errors.slice(0, errors.indexOf(begin) + begin.length)}\n${renderCodeTable()}\n${errors.slice(errors.indexOf(end))}`;
writeFileSync(errorsPath, updated);
