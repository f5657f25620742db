export { Task, DEFAULT_TASK_SPAN_NAME } from './task.js';
export { Instrument } from './instrument.js';
export { isInstrumented } from './wrap-method.js';
export type {
  ExpectedErrors,
  ErrorClass,
  InstrumentOptions,
  MethodDecorator,
  MethodOrClassDecorator,
  TaskOptions,
} from './types.js';
export type { TaskMetrics, TaskCounterLabels, TaskDurationLabels } from './task-metrics.js';
