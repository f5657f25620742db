export { Task } from './task.js';
export { Instrument } from './instrument.js';
export { isInstrumented } from './wrap-method.js';
export type {
  AnyMethod,
  ExpectedErrors,
  ErrorClass,
  InstrumentOptions,
  MethodDecorator,
  MethodOrClassDecorator,
  TaskOptions,
} from './types.js';
