/**
 * What the decorator fixtures (test/fixtures/decorators-standard and -legacy) export. The same
 * fixture source is compiled by tsc once with TC39 decorators and once with
 * experimentalDecorators; the shared suite (decorator-modes.test.ts) runs against both builds.
 */

/** A job argument: the fields @Task reads by default. */
export interface Job {
  taskId?: string;
  tenantId?: string;
  n: number;
}

/** A thenable that records whether anything called its `then`. */
export interface LazyThenable {
  thenCalls: number;
  then(onFulfilled?: (value: unknown) => unknown): unknown;
}

export interface TaskServiceApi {
  runSync(job: Job): number;
  failSync(job: Job): number;
  runAsync(job: Job): Promise<number>;
  failAsync(job: Job): Promise<number>;
  returnsPromise(job: Job): Promise<number>;
  returnsRejectedPromise(job: Job): Promise<number>;
  rejectWith(error: unknown): Promise<never>;
  lazy(thenable: LazyThenable): LazyThenable;
  items(n: number): Iterable<number>;
  itemsThatThrow(): Iterable<number>;
  asyncItems(n: number): AsyncIterable<number>;
  asyncItemsThatThrow(): AsyncIterable<number>;
  throwValue(value: unknown): never;
  findMissing(id: string): Promise<never>;
  findBroken(id: string): Promise<never>;
  checkMissing(id: string): never;
  hooked(job: Job): Promise<string>;
  hookedFailing(job: Job): Promise<string>;
  critical(job: Job): number;
  custom(job: Job): number;
}

export interface ScalerApi {
  factor: number;
  scale(n: number): number;
  scaleLater(n: number): Promise<number>;
}

export interface HandlerApi {
  handle(a: number, b: number): number;
  handleInner(a: number, b: number, c: number): number;
}

export interface PipelineApi {
  run(job: Job): Promise<string[]>;
  step(name: string): Promise<string>;
}

export interface ArgumentsApi {
  submit(taskId: string, tenantId: string, payload: { secret: string }, retries: number): number;
  plain(label: string, count: number, payload: { secret: string }): number;
  nested(request: { taskId: string; body: string }): number;
}

export interface BothApi {
  run(job: Job): number;
  other(): number;
}

export interface FixtureApi {
  TaskService: new () => TaskServiceApi;
  Scaler: new (factor: number) => ScalerApi;
  Handler: new () => HandlerApi;
  Pipeline: new () => PipelineApi;
  Arguments: new () => ArgumentsApi;
  Twice: new () => { twice(): number; taskOverInstrument(): number; instrumentOverTask(): number };
  Both: new () => BothApi;
  Registry: { lookup(key: string): string; helper(): string };
  /** An @Instrument class that no other test constructs (for calls with a foreign `this`). */
  Unconstructed: new () => { run(): string };
  /** Metadata key the fixture's route decorator writes on method functions. */
  ROUTE_METADATA: string;
  /** Each defines a class with the decorator on something that is not a method; each must throw. */
  misuse: Record<string, () => unknown>;
  /** A lazy thenable whose `then` counts its calls. */
  makeLazyThenable(): LazyThenable;
  NotFoundError: new (id: string) => Error;
}

/** Exported by test/fixtures/decorators-standard/standard-only.ts (TC39 decorators only). */
export interface StandardOnlyApi {
  /** Calls a decorated private method `#secretStep`. */
  WithPrivate: new () => { callPrivate(n: number): number };
  /** Defines a class with the decorator on an auto-accessor; must throw. */
  decorateAutoAccessor(): unknown;
}

/** Exported by test/fixtures/decorators-legacy/legacy-only.ts (experimentalDecorators only). */
export interface LegacyOnlyApi {
  /** A NestJS-style controller: emitDecoratorMetadata writes design:* metadata for `create`. */
  Controller: new () => { create(body: string, count: number): string };
  /** Defines a class with the decorator on a constructor parameter; must throw. */
  decorateParameter(): unknown;
}
