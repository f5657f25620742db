export { createLogger, closeLogger, type CreateLoggerOptions } from './create-logger.js';
export { getLogFields, LOG_FIELDS_KEY, setLogFields, type LogFields } from './log-fields.js';
export { createTraceFieldsMerger, createTraceMixin, type TraceLogFields } from './trace-mixin.js';
export {
  censorSecretKeys,
  MIN_SCRUBBED_SECRET_LENGTH,
  REDACTED,
  redactionPaths,
  SECRET_KEY_DEPTH,
  secretValues,
} from './redaction.js';
