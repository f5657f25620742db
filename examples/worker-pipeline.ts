/**
 * A worker that records the spec's span hierarchy with `@Instrument` and `@Task`, runs a few
 * tasks, then shuts down (which flushes the spans). Exits by itself.
 *
 *   npm run build && node dist/examples/worker-pipeline.js
 *
 * ```
 * grey.request
 * ├── grey.auth.validate_token
 * ├── grey.scheduler.submit_task
 * │   ├── grey.consensus.propose
 * │   │   └── grey.consensus.replicate
 * │   └── grey.storage.persist
 * ├── grey.worker.execute
 * │   ├── grey.tee.enter_enclave
 * │   ├── grey.task.run           <- @Task: metrics, task log lines
 * │   └── grey.tee.exit_enclave
 * └── grey.response.build
 * ```
 *
 * Every span is a decorated method: `@Instrument({ name })` gives the spec's span name, and a call
 * made inside a decorated method is its child. Point it at a collector with
 * GREY_OTEL_EXPORTER_ENDPOINT (docs/local-traces.md); sampling is yours to choose
 * (GREY_OTEL_SAMPLING_STRATEGY=always_on to see every trace).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Instrument, SpanNames, Task, initObservability } from '@grey/observability';

const obs = await initObservability();

interface Job {
  taskId: string;
  tenantId: string;
  payload: string;
}

class Consensus {
  @Instrument({ name: SpanNames.CONSENSUS_PROPOSE, fields: ['job.taskId'] })
  async propose(job: Job): Promise<number> {
    return this.replicate(job.taskId, 3);
  }

  @Instrument({ name: SpanNames.CONSENSUS_REPLICATE })
  async replicate(taskId: string, replicas: number): Promise<number> {
    await sleep(1);
    return taskId.length > 0 ? replicas : 0;
  }
}

class Scheduler {
  constructor(private readonly consensus: Consensus) {}

  @Instrument({ name: SpanNames.SCHEDULER_SUBMIT_TASK, fields: ['job.taskId', 'job.tenantId'] })
  async submitTask(job: Job): Promise<void> {
    await this.consensus.propose(job);
    await this.persist(job.taskId);
  }

  @Instrument({ name: SpanNames.STORAGE_PERSIST })
  async persist(taskId: string): Promise<void> {
    await sleep(taskId.length % 2);
  }
}

class Worker {
  @Instrument({ name: SpanNames.WORKER_EXECUTE, fields: ['job.taskId'] })
  async execute(job: Job): Promise<string> {
    this.enterEnclave('sgx');
    try {
      return await this.run(job);
    } finally {
      this.exitEnclave('sgx');
    }
  }

  // The tenant is read from job.tenantId: task metrics carry it, and so does every log line.
  @Task({ type: 'stateless' })
  async run(job: Job): Promise<string> {
    obs.logger.info({ bytes: job.payload.length }, 'running the task');
    await sleep(2);
    return job.payload.toUpperCase();
  }

  // A sync method stays sync; its span ends when it returns.
  @Instrument({ name: SpanNames.TEE_ENTER_ENCLAVE, attributes: { 'grey.tee.platform': 'sgx' } })
  enterEnclave(platform: string): boolean {
    return platform !== '';
  }

  @Instrument({ name: SpanNames.TEE_EXIT_ENCLAVE })
  exitEnclave(platform: string): boolean {
    return platform !== '';
  }
}

class Gateway {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly worker: Worker,
  ) {}

  @Instrument({ name: SpanNames.REQUEST, skip: ['token'], fields: ['job.tenantId'] })
  async handle(token: string, job: Job): Promise<{ taskId: string; result: string }> {
    this.validateToken(token);
    await this.scheduler.submitTask(job);
    const result = await this.worker.execute(job);
    return this.buildResponse(job.taskId, result);
  }

  @Instrument({ name: SpanNames.AUTH_VALIDATE_TOKEN, skip: ['token'] })
  validateToken(token: string): void {
    if (token === '') throw new Error('missing token');
  }

  @Instrument({ name: SpanNames.RESPONSE_BUILD })
  buildResponse(taskId: string, result: string): { taskId: string; result: string } {
    return { taskId, result };
  }
}

const gateway = new Gateway(new Scheduler(new Consensus()), new Worker());
const count = Number(process.env.EXAMPLE_TASKS ?? 3);
for (let i = 1; i <= count; i++) {
  const response = await gateway.handle('token-xyz', { taskId: `task-${i}`, tenantId: 'tenant-123', payload: 'hello' });
  obs.logger.info(response, 'request done');
}
await obs.shutdown();
