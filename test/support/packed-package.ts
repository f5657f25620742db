import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempDir, type TempDir } from './temp-dir.js';

/** The repository root (the tests run from dist/test/...). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What `npm pack` made: the tarball's path and the files it holds (relative to the package root). */
export interface PackedTarball {
  tarball: string;
  files: string[];
}

/** `npm pack` of the built repository (build first: `npm test` does) into `destination`. */
export function packRepository(destination: string): PackedTarball {
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  const [packed] = JSON.parse(output) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (packed === undefined) throw new Error('npm pack returned nothing');
  // npm names the file of a scoped package `grey-observability-x.y.z.tgz`.
  return {
    tarball: join(destination, packed.filename.replace(/^@/, '').replace(/\//g, '-')),
    files: packed.files.map((file) => file.path),
  };
}

/** A fresh project with the packed package installed by a real `npm install`. */
export interface InstalledPackage extends TempDir {
  /** What `npm install` printed (stdout and stderr). */
  installOutput: string;
}

/**
 * Packs the repository and installs the tarball with `dependencies` (npm specs) into a fresh
 * project whose package.json has `"type": "module"`, as a user would. npm runs on the Node of the
 * test run when `npm_execpath` is set (under `npm test`), else from PATH. Throws with npm's output
 * when the install fails.
 */
export function installPackedPackage(dependencies: string[]): InstalledPackage {
  const project = createTempDir('grey-obs-consumer-');
  try {
    const { tarball } = packRepository(project.path);
    project.write('package.json', JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const npmCli = process.env.npm_execpath;
    const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...dependencies];
    const [command, argv] =
      npmCli !== undefined && npmCli.endsWith('.js') ? [process.execPath, [npmCli, ...args]] : ['npm', args];
    const result = spawnSync(command, argv, { cwd: project.path, encoding: 'utf8', timeout: 150_000 });
    const installOutput = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) throw new Error(`npm install failed:\n${installOutput}`);
    return Object.assign(project, { installOutput });
  } catch (error) {
    project.remove();
    throw error;
  }
}
