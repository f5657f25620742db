/**
 * Span names of the Grey Distributed span hierarchy (docs/tracing.md shows the tree):
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
 * │   ├── grey.task.run
 * │   └── grey.tee.exit_enclave
 * └── grey.response.build
 * ```
 */
export const SpanNames = {
  REQUEST: 'grey.request',
  AUTH_VALIDATE_TOKEN: 'grey.auth.validate_token',
  SCHEDULER_SUBMIT_TASK: 'grey.scheduler.submit_task',
  CONSENSUS_PROPOSE: 'grey.consensus.propose',
  CONSENSUS_REPLICATE: 'grey.consensus.replicate',
  STORAGE_PERSIST: 'grey.storage.persist',
  WORKER_EXECUTE: 'grey.worker.execute',
  TEE_ENTER_ENCLAVE: 'grey.tee.enter_enclave',
  TASK_RUN: 'grey.task.run',
  TEE_EXIT_ENCLAVE: 'grey.tee.exit_enclave',
  RESPONSE_BUILD: 'grey.response.build',
} as const;

/** One of the span names in {@link SpanNames}. */
export type SpanName = (typeof SpanNames)[keyof typeof SpanNames];

/** Span attribute names of the Grey Distributed spec ("Custom Attributes"). */
export const SpanAttributes = {
  /** Tenant id; set automatically on spans started inside `withTenant()` or with the baggage entry. */
  TENANT_ID: 'grey.tenant_id',
  /** Task id (unbounded: a span attribute, never a metric label). */
  TASK_ID: 'grey.task_id',
  /** Task type, e.g. `stateless`. */
  TASK_TYPE: 'grey.task_type',
  /** TEE platform: `sgx`, `tdx` or `sev`. */
  TEE_PLATFORM: 'grey.tee.platform',
} as const;

/** One of the attribute names in {@link SpanAttributes}. */
export type SpanAttributeName = (typeof SpanAttributes)[keyof typeof SpanAttributes];
