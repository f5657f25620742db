/**
 * Reads the retry delay a gRPC server sends with a failed call: the `grpc-status-details-bin`
 * trailer holds a `google.rpc.Status` whose `details` may carry a `google.rpc.RetryInfo`, whose
 * `retry_delay` (a `google.protobuf.Duration`) says when to try again (OTLP specification,
 * "OTLP/gRPC Throttling"; googleapis google/rpc/status.proto and error_details.proto).
 *
 * Four small messages, read here with a minimal protobuf wire-format reader: the package has no
 * protobuf runtime among its dependencies (the OTLP serializer of @opentelemetry/otlp-transformer
 * keeps its reader internal), and these are the only fields needed. Anything malformed reads as
 * "no retry delay"; nothing here throws.
 */

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
/** Longest retry delay taken from a server (anything longer exceeds every export timeout anyway). */
const MAX_DELAY_MS = 600_000;

/** Wire types of the protobuf encoding. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** The retry delay in milliseconds of a `grpc-status-details-bin` value, or undefined when it names none. */
export function retryDelayFromStatusDetails(details: Uint8Array | undefined): number | undefined {
  if (details === undefined) return undefined;
  try {
    // google.rpc.Status: 3 repeated google.protobuf.Any details.
    for (const [field, any] of fields(details)) {
      if (field !== 3 || !(any instanceof Uint8Array)) continue;
      let typeUrl: string | undefined;
      let value: Uint8Array | undefined;
      // google.protobuf.Any: 1 string type_url, 2 bytes value.
      for (const [anyField, content] of fields(any)) {
        if (anyField === 1 && content instanceof Uint8Array) typeUrl = Buffer.from(content).toString('utf8');
        if (anyField === 2 && content instanceof Uint8Array) value = content;
      }
      if (typeUrl !== RETRY_INFO_TYPE || value === undefined) continue;
      // google.rpc.RetryInfo: 1 google.protobuf.Duration retry_delay.
      for (const [infoField, duration] of fields(value)) {
        if (infoField === 1 && duration instanceof Uint8Array) return durationMs(duration);
      }
      return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** google.protobuf.Duration (1 int64 seconds, 2 int32 nanos) in milliseconds, bounded. */
function durationMs(duration: Uint8Array): number | undefined {
  let seconds = 0;
  let nanos = 0;
  for (const [field, value] of fields(duration)) {
    if (field === 1 && typeof value === 'number') seconds = value;
    if (field === 2 && typeof value === 'number') nanos = value;
  }
  const ms = seconds * 1000 + nanos / 1e6;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_DELAY_MS);
}

/**
 * The fields of one message, in order: varints as numbers (exact up to 2^53), length-delimited
 * fields as bytes; fixed-width fields are skipped. Throws on malformed input (caught above).
 */
function* fields(bytes: Uint8Array): Generator<[number, number | Uint8Array]> {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) throw new RangeError('truncated varint');
      const byte = bytes[at++] as number;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new RangeError('varint too long');
  };
  while (at < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === VARINT) yield [field, varint()];
    else if (wireType === LENGTH_DELIMITED) {
      const length = varint();
      if (at + length > bytes.length) throw new RangeError('truncated field');
      yield [field, bytes.subarray(at, at + length)];
      at += length;
    } else if (wireType === FIXED64) at += 8;
    else if (wireType === FIXED32) at += 4;
    else throw new RangeError(`unsupported wire type ${wireType}`);
  }
}
