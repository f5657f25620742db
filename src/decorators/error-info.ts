import type { Exception } from '@opentelemetry/api';
import { readErrorStack } from '../error-stack.js';
import type { ExpectedErrors } from './types.js';

/** What a thrown value looks like to telemetry. */
export interface ErrorInfo {
  /** Low-cardinality type: the error class name, or the kind of value (`string`, `number`, `null`, `object` ...). */
  type: string;
  /** Human-readable message, at most {@link MAX_MESSAGE_LENGTH} characters. */
  message: string;
  /**
   * What is handed to `span.recordException`: for an Error, its `code` (when set), name, message
   * and stack, the stack read without consuming the error's call sites (src/error-stack.ts: Node's
   * report of the rejection, when nobody handles it, keeps pointing at the service's line).
   */
  exception: Exception;
}

/** Longest status message kept; longer ones are cut with an ellipsis. */
export const MAX_MESSAGE_LENGTH = 1000;

/**
 * Describes any thrown value, Error or not (`throw "x"`, `throw 42`, `throw { code }`), so that
 * the span gets a useful status message and `error.type` stays low-cardinality.
 */
export function describeError(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
    const type =
      error.name !== 'Error' && typeof error.name === 'string' && error.name !== ''
        ? error.name
        : typeof constructorName === 'string' && constructorName !== ''
          ? constructorName
          : 'Error';
    return {
      type,
      message: cut(error.message === '' ? type : error.message),
      // Read when a span records it: callers that only need the type do not format the stack.
      get exception() {
        return exceptionOf(error);
      },
    };
  }
  const type = kindOf(error);
  const message = cut(messageOf(error, type));
  return { type, message, exception: { name: type, message } };
}

/** The fields of `error` the SDK's recordException reads (code, name, message, stack), the stack read safely. */
function exceptionOf(error: Error): Exception {
  const exception: { code?: string | number; name?: string; message?: string; stack?: string } = {
    name: error.name,
    message: error.message,
    stack: readErrorStack(error),
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') exception.code = code;
  return exception as Exception;
}

/** True when `error` is expected according to `expected` (an error class list or a predicate). */
export function matchesExpected(expected: ExpectedErrors, error: unknown): boolean {
  if (typeof expected === 'function') return expected(error) === true;
  for (const errorClass of expected) if (error instanceof errorClass) return true;
  return false;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'object';
}

function messageOf(value: unknown, type: string): string {
  switch (typeof value) {
    case 'string':
      return value === '' ? 'empty string thrown' : value;
    case 'undefined':
      return 'undefined thrown';
    case 'symbol':
      return value.toString();
    case 'function':
      return `function ${value.name || '(anonymous)'} thrown`;
    case 'object': {
      if (value === null) return 'null thrown';
      const message = (value as { message?: unknown }).message;
      if (typeof message === 'string' && message !== '') return message;
      try {
        return `${type} thrown: ${JSON.stringify(value)}`;
      } catch {
        return `${type} thrown`;
      }
    }
    default:
      return String(value);
  }
}

function cut(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}
