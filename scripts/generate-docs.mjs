// Writes the generated reference pages from the built code: docs/config-reference.md and the
// code table of docs/errors.md (between its markers). Run with `npm run docs` after a build.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigReference, renderErrorCodeTable } from '../dist/src/config/reference.js';

writeFileSync(new URL('../docs/config-reference.md', import.meta.url), renderConfigReference());
const errorsPath = new URL('../docs/errors.md', import.meta.url);
const errors = readFileSync(errorsPath, 'utf8');
const begin = '<!-- codes:begin -->';
const end = '<!-- codes:end -->';
const updated = `${errors.slice(0, errors.indexOf(begin) + begin.length)}\n${renderErrorCodeTable()}\n${errors.slice(errors.indexOf(end))}`;
writeFileSync(errorsPath, updated);
