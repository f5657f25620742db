export { createLogger, closeLogger, type CreateLoggerOptions } from './create-logger.js';
export { getLogFields, LOG_FIELDS_KEY, setLogFields, type LogFields } from './log-fields.js';
export { createTraceMixin, mergeTraceFields, type TraceLogFields } from './trace-mixin.js';
export { REDACTED, redactionPaths, secretValues, MIN_SCRUBBED_SECRET_LENGTH } from './redaction.js';
