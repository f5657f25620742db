/**
 * A NestJS-style service: a controller and a provider wired by a small constructor-injection
 * container that reads `design:paramtypes` (emitDecoratorMetadata), routes declared with method
 * decorators that store reflect-metadata, and `@Task` / `@Instrument` on the same methods.
 * Compiled with the compiler options of a new NestJS project (tsconfig.json here: CommonJS,
 * experimentalDecorators, emitDecoratorMetadata); NestJS itself is not needed to show that the
 * decorators keep what Nest reads: the constructor's parameter types and each handler's metadata.
 *
 *   npx tsc -p examples/nest-style && node examples/nest-style/out/app.js
 */
import 'reflect-metadata';
import { Instrument, Task, initObservability } from '@grey/observability';

const PATH = 'path'; // NestJS's PATH_METADATA
const METHOD = 'method'; // NestJS's METHOD_METADATA

/** Like `@Injectable()`: marks a class the container may construct. */
function Injectable(): ClassDecorator {
  return (target) => Reflect.defineMetadata('injectable', true, target);
}

/** Like `@Controller(prefix)`. */
function Controller(prefix: string): ClassDecorator {
  return (target) => Reflect.defineMetadata(PATH, prefix, target);
}

/** Like `@Post(path)`: metadata on the handler function itself, as NestJS stores it. */
function Post(path: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(PATH, path, descriptor.value as object);
    Reflect.defineMetadata(METHOD, 'POST', descriptor.value as object);
    return descriptor;
  };
}

@Injectable()
class TaskRepository {
  private readonly saved = new Map<string, string>();

  @Instrument({ skip: ['body'] })
  save(id: string, body: string): number {
    this.saved.set(id, body);
    return this.saved.size;
  }
}

@Controller('/tasks')
class TaskController {
  constructor(private readonly repository: TaskRepository) {}

  // @Task below @Post: Post stores its metadata on @Task's wrapper.
  @Post('/run')
  @Task({ type: 'nest' })
  async run(job: { taskId: string; tenantId: string }): Promise<number> {
    return this.repository.save(job.taskId, 'payload');
  }

  // @Task above @Post: the wrapper must carry the metadata Post stored on the original method.
  @Task({ type: 'nest', logs: 'errors' })
  @Post('/retry')
  async retry(job: { taskId: string; tenantId: string }): Promise<number> {
    return this.repository.save(`${job.taskId}-retry`, 'payload');
  }
}

/** A constructor-injection container like Nest's: reads `design:paramtypes` (emitDecoratorMetadata). */
function resolve<T>(type: new (...args: never[]) => T): T {
  const params = (Reflect.getMetadata('design:paramtypes', type) ?? []) as Array<new () => unknown>;
  return new type(...(params.map((param) => resolve(param)) as never[]));
}

async function main(): Promise<void> {
  const obs = await initObservability();
  const controller = resolve(TaskController);
  const routes: string[] = [];
  for (const key of ['run', 'retry'] as const) {
    const handler = TaskController.prototype[key];
    routes.push(
      `${Reflect.getMetadata(METHOD, handler)} ${Reflect.getMetadata(PATH, TaskController)}${Reflect.getMetadata(PATH, handler)} -> ${handler.name}`,
    );
  }
  const stored = [
    await controller.run({ taskId: 't-1', tenantId: 'tenant-nest' }),
    await controller.retry({ taskId: 't-1', tenantId: 'tenant-nest' }),
  ];
  const exposition = await obs.metrics.scrape('text');
  const completed = exposition.split('\n').filter((line) => line.startsWith('grey_tasks_completed_total{'));
  process.stdout.write(`${JSON.stringify({ routes, stored, completed })}\n`);
  await obs.shutdown();
}

void main();
