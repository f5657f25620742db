/**
 * The TLS material of the OTLP exporter: `opentelemetry.exporter.certificate` (CA certificates
 * that verify the collector, instead of the system roots), `client_key` and `client_certificate`
 * (the client certificate of mutual TLS), each the path of a PEM file (OTLP exporter
 * specification, "Configuration Options": Certificate File, Client Key File, Client Certificate
 * File; `OTEL_EXPORTER_OTLP_CERTIFICATE` ...). Read once, at start-up, and checked then, so that a
 * wrong path or file is a coded start-up error and not an export failure at run time. The
 * collector's certificate is always verified: no option turns verification off.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ObservabilityConfig } from '../config/types.js';
import { ObservabilityError } from '../errors.js';

type ExporterConfig = ObservabilityConfig['opentelemetry']['exporter'];
type TlsKey = 'certificate' | 'client_key' | 'client_certificate';

/** PEM bytes for the https Agent / gRPC SSL credentials; a field is absent when its key is unset. */
export interface ExporterTls {
  /** CA certificates that verify the collector (`certificate`); absent: the system roots. */
  ca?: Buffer;
  /** Private key of the client certificate (`client_key`). */
  key?: Buffer;
  /** Client certificate chain (`client_certificate`). */
  cert?: Buffer;
}

/** Largest PEM file read (a full public CA bundle is about 250 KB). */
const MAX_PEM_BYTES = 4 * 1024 * 1024;
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads and checks the files named by `certificate`, `client_key` and `client_certificate`
 * (empty means unset; relative paths are from the working directory). Only regular files are
 * read (a FIFO or a device would block start-up). The files are used for `https://` endpoints;
 * with an `http://` endpoint the connection is plaintext, as its scheme says.
 *
 * @throws ObservabilityError `OBS_ERR_EXPORTER_TLS`, naming the key and the file, when a file is
 *   missing, unreadable, not a regular file, larger than 4 MiB or not the PEM it should be, when
 *   only one of `client_key` and `client_certificate` is set, or when they do not belong together.
 */
export function loadExporterTls(config: Pick<ExporterConfig, TlsKey>): ExporterTls {
  const caPath = config.certificate.trim();
  const keyPath = config.client_key.trim();
  const certPath = config.client_certificate.trim();
  if ((keyPath === '') !== (certPath === '')) {
    const [set, unset] = keyPath === '' ? ['client_certificate', 'client_key'] : ['client_key', 'client_certificate'];
    throw new ObservabilityError('OBS_ERR_EXPORTER_TLS', `opentelemetry.exporter.${set} is set without ${unset}`, {
      key: `opentelemetry.exporter.${unset}`,
      expected: `both client_key and client_certificate (mutual TLS), or neither (OTEL_EXPORTER_OTLP_CLIENT_KEY, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE)`,
    });
  }
  const tls: ExporterTls = {};
  if (caPath !== '') {
    tls.ca = readPem('certificate', caPath);
    parseCertificates('certificate', caPath, tls.ca);
  }
  if (keyPath !== '' && certPath !== '') {
    tls.key = readPem('client_key', keyPath);
    tls.cert = readPem('client_certificate', certPath);
    const privateKey = parseKey(keyPath, tls.key);
    const [leaf] = parseCertificates('client_certificate', certPath, tls.cert);
    if (leaf !== undefined && !leaf.checkPrivateKey(privateKey)) {
      throw tlsError('client_key', keyPath, 'is not the private key of the client certificate', {
        expected: `the private key of the first certificate in ${resolve(certPath)} (opentelemetry.exporter.client_certificate)`,
      });
    }
  }
  return tls;
}

/** The bytes of the regular file `path`, opened without blocking (a FIFO opens at once, then fails the check). */
function readPem(key: TlsKey, path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code ?? 'unknown error'})`;
    throw tlsError(key, path, why);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw tlsError(key, path, 'is not a regular file');
    if (stat.size > MAX_PEM_BYTES) throw tlsError(key, path, `is larger than ${MAX_PEM_BYTES} bytes`);
    return readFileSync(fd);
  } catch (err) {
    if (err instanceof ObservabilityError) throw err;
    throw tlsError(key, path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  } finally {
    closeSync(fd);
  }
}

/** Every certificate of a PEM bundle; at least one, each valid X.509. */
function parseCertificates(key: TlsKey, path: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('latin1').match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) throw tlsError(key, path, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw tlsError(key, path, `holds a certificate that cannot be parsed (number ${index + 1} in the file)`);
    }
  });
}

/** The private key of `pem`; its text never goes into an error (it is a secret). */
function parseKey(path: string, pem: Buffer): KeyObject {
  const text = pem.toString('latin1');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    throw tlsError('client_key', path, 'holds no PEM private key (-----BEGIN PRIVATE KEY-----)');
  if (/ENCRYPTED/.test(text))
    throw tlsError('client_key', path, 'holds an encrypted private key', {
      expected: 'an unencrypted PEM private key (no passphrase can be configured); protect the file by its permissions',
    });
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw tlsError('client_key', path, 'holds a private key that cannot be parsed');
  }
}

function tlsError(key: TlsKey, path: string, why: string, details: { expected?: string } = {}): ObservabilityError {
  const file = resolve(path);
  return new ObservabilityError('OBS_ERR_EXPORTER_TLS', `the file of opentelemetry.exporter.${key} ${why}`, {
    file,
    key: `opentelemetry.exporter.${key}`,
    expected: details.expected ?? EXPECTED[key],
  });
}

const EXPECTED: Record<TlsKey, string> = {
  certificate:
    'the path of a readable PEM file of the CA certificates that sign the collector certificate (OTEL_EXPORTER_OTLP_CERTIFICATE), or empty for the system roots',
  client_key:
    'the path of a readable, unencrypted PEM private key of the client certificate (OTEL_EXPORTER_OTLP_CLIENT_KEY), or empty',
  client_certificate:
    'the path of a readable PEM client certificate (chain) (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE), or empty',
};
