import assert from 'node:assert/strict';
import { it } from 'node:test';
import 'reflect-metadata';
import { finishedSpans, onlySpan, type CaseContext } from './helpers.js';

// The fixtures are compiled with their own copy of src/: the error is recognised by name and code.
const TARGET_ERROR = (error: unknown): boolean =>
  error instanceof Error &&
  error.name === 'ObservabilityError' &&
  (error as { code?: unknown }).code === 'OBS_ERR_DECORATOR_TARGET' &&
  /^OBS_ERR_DECORATOR_TARGET: @(Instrument|Task) was applied to the /.test(error.message);

/** Failure mode 15 (decorators on non-methods) and the cases only one decorator standard has. */
export function registerMisuseTests(ctx: CaseContext): void {
  it('15. throws an ObservabilityError (OBS_ERR_DECORATOR_TARGET) for a field, getter, setter, or @Task on a class', () => {
    const { misuse } = ctx.build().fixture;
    assert.deepEqual(Object.keys(misuse).sort(), [
      'field',
      'getter',
      'setter',
      'taskOnClass',
      'typedField',
      'typedGetter',
      'typedTaskOnClass',
    ]);
    for (const [name, define] of Object.entries(misuse)) {
      assert.throws(define, TARGET_ERROR, `misuse case ${name}`);
    }
    assert.throws(ctx.build().fixture.misuse.getter!, /getter value|accessor value/);
  });

  it('15. handles what only this decorator standard has', () => {
    const build = ctx.build();
    if (build.mode === 'standard') {
      const only = build.standardOnly!;
      assert.throws(() => only.decorateAutoAccessor(), TARGET_ERROR);
      assert.equal(new only.WithPrivate().callPrivate(1), 2);
      assert.equal(onlySpan(ctx, 'WithPrivate.#secretStep').name, 'WithPrivate.#secretStep');
    } else {
      const only = build.legacyOnly!;
      assert.throws(() => only.decorateParameter(), TARGET_ERROR);
      const proto = only.Controller.prototype;
      assert.deepEqual(Reflect.getMetadata('design:paramtypes', proto, 'create'), [String, Number]);
      assert.equal(Reflect.getMetadata('fixture:body', proto, 'create'), 0);
      assert.equal(proto.create.name, 'create');
      assert.equal(new only.Controller().create('ab', 2), 'abab');
      assert.equal(finishedSpans(ctx)[0]!.attributes['grey.task_type'], 'http');
    }
  });
}
