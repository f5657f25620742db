import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FixtureApi, LegacyOnlyApi, StandardOnlyApi } from './fixture-api.js';

const run = promisify(execFile);

/** The two TypeScript decorator settings the fixtures are compiled under. */
export type DecoratorMode = 'standard' | 'legacy';

/** What one compiled fixture build exports. */
export interface FixtureBuild {
  mode: DecoratorMode;
  fixture: FixtureApi;
  standardOnly?: StandardOnlyApi;
  legacyOnly?: LegacyOnlyApi;
}

const root = new URL('../../../../', import.meta.url);

/**
 * Compiles test/fixtures/decorators-<mode> with the repository's tsc (one invocation per mode, in
 * parallel) into dist/fixture-builds/<mode>/, then imports the builds. tsc errors fail the caller.
 */
export async function buildFixtures(): Promise<FixtureBuild[]> {
  const tsc = fileURLToPath(new URL('node_modules/.bin/tsc', root));
  const modes: DecoratorMode[] = ['standard', 'legacy'];
  await Promise.all(
    modes.map(async (mode) => {
      const project = fileURLToPath(new URL(`test/fixtures/decorators-${mode}/tsconfig.json`, root));
      try {
        await run(tsc, ['-p', project], { cwd: fileURLToPath(root), timeout: 120_000 });
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        throw new Error(`tsc failed for the ${mode} decorator fixtures:\n${stdout}${stderr}`, { cause: error });
      }
    }),
  );
  const load = async <T>(mode: DecoratorMode, path: string): Promise<T> =>
    (await import(new URL(`dist/fixture-builds/${mode}/test/fixtures/${path}`, root).href)) as T;
  const standard = await load<{ fixture: FixtureApi }>('standard', 'decorators-standard/services.js');
  const standardOnly = await load<{ standardOnly: StandardOnlyApi }>(
    'standard',
    'decorators-standard/standard-only.js',
  );
  const legacy = await load<{ fixture: FixtureApi }>('legacy', 'decorators-standard/services.js');
  const legacyOnly = await load<{ legacyOnly: LegacyOnlyApi }>('legacy', 'decorators-legacy/legacy-only.js');
  return [
    { mode: 'standard', fixture: standard.fixture, standardOnly: standardOnly.standardOnly },
    { mode: 'legacy', fixture: legacy.fixture, legacyOnly: legacyOnly.legacyOnly },
  ];
}
