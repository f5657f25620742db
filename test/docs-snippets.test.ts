import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { installPackedPackage, type InstalledPackage } from './support/packed-package.js';

/**
 * Every TypeScript snippet of README.md and docs/*.md compiles, as a module of its own, against the package as a
 * user installs it (npm pack, npm install into a fresh project, tsc --strict). The convention:
 *
 * - ```ts (or ```typescript) is a complete module: it imports what it uses from
 *   '@grey/observability' (or node:*, @opentelemetry/api) and declares every name it uses.
 * - ```ts no-compile marks a fragment that calls objects introduced by the surrounding text. Use it
 *   sparingly: it must still parse as TypeScript and may not import from the package (a snippet
 *   that shows imports must compile).
 * - Code in fences without a language may not import from the package either (no hidden TS).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface Snippet {
  page: string;
  line: number;
  info: string;
  code: string;
}

function readSnippets(): Snippet[] {
  const out: Snippet[] = [];
  const pages = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  for (const page of pages) {
    const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(.*)$/.exec(lines[i] ?? '');
      if (open === null) continue;
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
      out.push({ page, line: i + 1, info: (open[1] ?? '').trim(), code: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return out;
}

const snippets = readSnippets();
const isTs = (s: Snippet) => /^(ts|typescript)(\s|$)/.test(s.info);
const compiled = snippets.filter((s) => isTs(s) && !/\bno-compile\b/.test(s.info));
const fragments = snippets.filter((s) => isTs(s) && /\bno-compile\b/.test(s.info));
const importsPackage = (code: string) => /from\s+['"]@grey\/observability|import\s+['"]@grey\/observability/.test(code);

describe('docs snippets', () => {
  let project: InstalledPackage | undefined;
  after(() => project?.remove());

  it('finds the TypeScript snippets of the docs', () => {
    const pages = new Set(compiled.map((s) => s.page));
    for (const page of ['README.md', 'docs/metrics.md', 'docs/logging.md', 'docs/tracing.md', 'docs/decorators.md']) {
      assert.ok(pages.has(page), page);
    }
  });

  it('compiles every ```ts snippet against the packed and installed package', () => {
    const version = (name: string) =>
      (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    project = installPackedPackage([
      `@opentelemetry/api@${version('@opentelemetry/api')}`,
      `@types/node@${version('@types/node')}`,
    ]);
    const app = project.path;
    mkdirSync(join(app, 'snippets'), { recursive: true });
    const files = new Map<string, Snippet>();
    for (const snippet of compiled) {
      const file = `snippets/${snippet.page.replace(/\W+/g, '-')}-${snippet.line}.ts`;
      writeFileSync(join(app, file), `${snippet.code}\nexport {};\n`);
      files.set(file, snippet);
    }
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['es2023'],
          types: ['node'],
          noEmit: true,
          skipLibCheck: true,
        },
        include: ['snippets/*.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', app], {
      cwd: app,
      encoding: 'utf8',
      timeout: 150_000,
    });
    // Name each error by its page and line in the docs.
    const report = tsc.stdout.replace(/(snippets\/[\w-]+\.ts)\((\d+),\d+\)/g, (match, file: string, line: string) => {
      const snippet = files.get(file);
      return snippet === undefined ? match : `${snippet.page}:${snippet.line + Number(line)}`;
    });
    assert.equal(tsc.status, 0, report);
  });

  it('keeps no-compile fragments parseable and free of package imports', () => {
    for (const fragment of fragments) {
      const where = `${fragment.page}:${fragment.line}`;
      const output = ts.transpileModule(fragment.code, { reportDiagnostics: true, fileName: 'fragment.ts' });
      assert.deepEqual(
        (output.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
        [],
        where,
      );
      assert.ok(!importsPackage(fragment.code), `${where}: a snippet that imports the package must compile`);
    }
  });

  it('hides no package code in fences without a language', () => {
    for (const snippet of snippets.filter((s) => s.info === '')) {
      assert.ok(!importsPackage(snippet.code), `${snippet.page}:${snippet.line}: tag it \`\`\`ts`);
    }
  });
});
