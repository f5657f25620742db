/** The logging part: the pino logger the package creates, and the fields a call can add to its lines. */
export { createLogger, closeLogger, type CreateLoggerOptions } from './create-logger.js';
export { setLogFields } from './log-fields.js';
