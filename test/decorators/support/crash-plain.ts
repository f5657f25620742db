// The service of crash-output.test.ts without the package: the same methods as crash-services.ts,
// undecorated. Each throw has its own text, so the test finds the line Node must point at.
export class CrashService {
  async asyncFail(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('boom plain asyncFail');
  }

  async taskFail(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('boom plain taskFail');
  }

  syncFail(): number {
    throw new Error('boom plain syncFail');
  }

  *items(): Generator<number> {
    yield 1;
    throw new Error('boom plain items');
  }

  async handle(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('boom plain handle');
  }
}

/** A node:http request listener that throws. */
export function throwingListener(): never {
  throw new Error('boom plain listener');
}
