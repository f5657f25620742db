/** Text that stands in for a secret in every output of the package (logs, spans, CLI, errors). */
export const REDACTED = '[REDACTED]';
