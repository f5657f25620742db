/**
 * The package as npm would publish it: `npm pack` of the built repository, unpacked into a
 * consumer project under `<repo>/.tmp/` (its dependencies resolve from the repository's
 * node_modules, the package itself only from the tarball).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packRepository, REPOSITORY_ROOT } from '../../support/packed-package.js';

/** The repository root (the tests run from dist/test/...). */
export const ROOT = REPOSITORY_ROOT;

/** A consumer project with the packed package installed in its node_modules. */
export interface PackedConsumer {
  /** The consumer project directory (package.json without "type": CommonJS by default). */
  dir: string;
  /** Where the tarball was unpacked: `<dir>/node_modules/@grey/observability`. */
  packageDir: string;
  /** Paths of every file in the tarball, relative to the package root. */
  files: string[];
  /** Copies `examples/<name>` of the repository into `<dir>/<name>` and returns that path. */
  copyExample(name: string): string;
  remove(): void;
}

/** Packs the repository (build it first: `npm test` does) and installs the tarball into a consumer. */
export function createPackedConsumer(): PackedConsumer {
  const tmpRoot = join(ROOT, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(join(tmpRoot, 'consumer-'));
  const packed = packRepository(dir);
  const scope = join(dir, 'node_modules', '@grey');
  mkdirSync(scope, { recursive: true });
  execFileSync('tar', ['xzf', packed.tarball, '-C', scope]);
  const packageDir = join(scope, 'observability');
  renameSync(join(scope, 'package'), packageDir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true })}\n`,
  );
  return {
    dir,
    packageDir,
    files: packed.files,
    copyExample(name) {
      const target = join(dir, name);
      cpSync(join(ROOT, 'examples', name), target, {
        recursive: true,
        filter: (src) => !/[\\/]out([\\/]|$)/.test(src),
      });
      return target;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
