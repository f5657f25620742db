// The service of crash-output.test.ts with the package's decorators (see crash-plain.ts).
import { Instrument, Task } from '../../../src/decorators/index.js';

export class CrashService {
  @Instrument()
  async asyncFail(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('boom decorated asyncFail');
  }

  @Task({ type: 'crash' })
  async taskFail(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('boom decorated taskFail');
  }

  @Instrument()
  syncFail(): number {
    throw new Error('boom decorated syncFail');
  }

  @Instrument()
  *items(): Generator<number> {
    yield 1;
    throw new Error('boom decorated items');
  }

  @Instrument()
  async handle(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('boom decorated handle');
  }
}

/** A node:http request listener that throws. */
export function throwingListener(): never {
  throw new Error('boom decorated listener');
}
