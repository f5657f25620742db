import { afterEach, before, beforeEach, describe } from 'node:test';
import { registerFailureModeTests } from './cases/failure-modes.js';
import { registerMisuseTests } from './cases/misuse.js';
import { registerTelemetryTests } from './cases/telemetry.js';
import { buildFixtures, type DecoratorMode, type FixtureBuild } from './support/fixtures.js';
import { installTestRuntime, type TestRuntime } from './support/runtime.js';

// One shared suite, run against the fixtures compiled with TC39 decorators and with
// experimentalDecorators (failure mode 15). The fixture classes are decorated when their module
// is imported, before any runtime exists (failure mode 14).
let builds: FixtureBuild[] = [];
before(async () => {
  builds = await buildFixtures();
});

for (const mode of ['standard', 'legacy'] as DecoratorMode[]) {
  describe(`@Task and @Instrument under ${mode} decorators`, () => {
    let runtime: TestRuntime | undefined;
    beforeEach(() => {
      runtime = installTestRuntime();
    });
    afterEach(async () => {
      await runtime?.stop();
      runtime = undefined;
    });
    const ctx = {
      build: () => builds.find((build) => build.mode === mode)!,
      runtime: () => runtime!,
    };
    registerFailureModeTests(ctx);
    registerMisuseTests(ctx);
    registerTelemetryTests(ctx);
  });
}
