/**
 * TLS and compression of the OTLP exporter, both protocols, against loopback receivers serving
 * TLS with a certificate signed by a CA made in the test (test-pki.ts): the configured CA is what
 * makes the collector trusted, a client certificate is presented when configured (mutual TLS),
 * gzip reaches the receiver as gzip; unusable TLS files are coded start-up errors.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import { checkCollector } from '../../src/cli/doctor-collector.js';
import { isObservabilityError } from '../../src/errors.js';
import { loadExporterTls } from '../../src/tracing/exporter-tls.js';
import { startTracing } from '../../src/tracing/start-tracing.js';
import { startGrpcReceiver, startHttpReceiver, type OtlpReceiver, type ReceiverTls } from '../support/otlp-receiver.js';
import { createTestPki, type TestPki } from '../support/test-pki.js';
import { captureLogger, resetOtelGlobals, tracingConfig } from './helpers.js';
import { endedSpans, exportOnce, exporterConfig } from './support/direct-export.js';

type Protocol = 'grpc' | 'http/protobuf';

let pki: TestPki;
before(() => {
  pki = createTestPki();
});
after(() => pki.remove());

const start = (protocol: Protocol, tls?: ReceiverTls): Promise<OtlpReceiver> =>
  protocol === 'grpc' ? startGrpcReceiver({ kind: 'ok' }, { tls }) : startHttpReceiver({ kind: 'ok' }, { tls });

const NO_TLS = { certificate: '', client_key: '', client_certificate: '' };

/** The first base64 line of a PEM key: what must never be printed. */
function keyBody(pem: Buffer): string {
  return pem.toString().split('\n')[1] ?? '';
}

for (const protocol of ['http/protobuf', 'grpc'] as const) {
  describe(`exporter TLS over ${protocol}`, { concurrency: true }, () => {
    it('delivers to a TLS receiver whose certificate is signed by the configured CA', async () => {
      const receiver = await start(protocol, { key: pki.server.key, cert: pki.server.cert });
      try {
        assert.match(receiver.url, /^https:/);
        const config = exporterConfig(protocol, receiver.url, { ...NO_TLS, certificate: pki.ca.certPath });
        const result = await exportOnce(config, endedSpans(2));
        assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
        assert.deepEqual(
          receiver
            .spans()
            .map((s) => s.name)
            .sort(),
          ['direct-0', 'direct-1'],
        );
      } finally {
        await receiver.close();
      }
    });

    it('without the CA configured the receiver is not trusted: nothing delivered, the export fails', async () => {
      const receiver = await start(protocol, { key: pki.server.key, cert: pki.server.cert });
      try {
        const result = await exportOnce(exporterConfig(protocol, receiver.url, NO_TLS), endedSpans(2));
        assert.equal(result.code, ExportResultCode.FAILED);
        assert.equal(receiver.attempts(), 0, 'no request got through the handshake');
        assert.equal(receiver.spans().length, 0);
      } finally {
        await receiver.close();
      }
    });

    it('with another CA configured the receiver is not trusted either', async () => {
      const receiver = await start(protocol, { key: pki.server.key, cert: pki.server.cert });
      try {
        const config = exporterConfig(protocol, receiver.url, { ...NO_TLS, certificate: pki.otherCa.certPath });
        const result = await exportOnce(config, endedSpans(1));
        assert.equal(result.code, ExportResultCode.FAILED);
        assert.equal(receiver.attempts(), 0);
      } finally {
        await receiver.close();
      }
    });

    it('mutual TLS: a receiver requiring a client certificate of its CA gets the spans with one', async () => {
      const receiver = await start(protocol, { key: pki.server.key, cert: pki.server.cert, clientCa: pki.ca.cert });
      try {
        const config = exporterConfig(protocol, receiver.url, {
          certificate: pki.ca.certPath,
          client_key: pki.client.keyPath,
          client_certificate: pki.client.certPath,
        });
        const result = await exportOnce(config, endedSpans(1));
        assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
        assert.equal(receiver.spans().length, 1);
      } finally {
        await receiver.close();
      }
    });

    it('mutual TLS: without a client certificate, or with one of another CA, the receiver refuses', async () => {
      const receiver = await start(protocol, { key: pki.server.key, cert: pki.server.cert, clientCa: pki.ca.cert });
      try {
        const none = await exportOnce(
          exporterConfig(protocol, receiver.url, { ...NO_TLS, certificate: pki.ca.certPath }),
          endedSpans(1),
        );
        const foreign = await exportOnce(
          exporterConfig(protocol, receiver.url, {
            certificate: pki.ca.certPath,
            client_key: pki.otherClient.keyPath,
            client_certificate: pki.otherClient.certPath,
          }),
          endedSpans(1),
        );
        assert.equal(none.code, ExportResultCode.FAILED);
        assert.equal(foreign.code, ExportResultCode.FAILED);
        assert.equal(receiver.attempts(), 0, 'no request was served');
        if (protocol === 'http/protobuf')
          assert.ok(receiver.tlsRejections() >= 2, `${receiver.tlsRejections()} refused`);
      } finally {
        await receiver.close();
      }
    });

    for (const compression of ['gzip', 'none'] as const) {
      it(`compression ${compression}: the receiver sees ${compression === 'gzip' ? 'gzip' : 'no encoding'} and decodes the spans`, async () => {
        const receiver = await start(protocol);
        try {
          const result = await exportOnce(exporterConfig(protocol, receiver.url, { compression }), endedSpans(50));
          assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
          assert.equal(receiver.requests.length, 1);
          assert.equal(receiver.requests[0]?.encoding, compression === 'gzip' ? 'gzip' : 'identity');
          assert.equal(receiver.spans().length, 50);
        } finally {
          await receiver.close();
        }
      });
    }

    it('gzip over TLS with mutual authentication', async () => {
      const receiver = await start(protocol, { key: pki.server.key, cert: pki.server.cert, clientCa: pki.ca.cert });
      try {
        const config = exporterConfig(protocol, receiver.url, {
          compression: 'gzip',
          certificate: pki.ca.certPath,
          client_key: pki.client.keyPath,
          client_certificate: pki.client.certPath,
        });
        const result = await exportOnce(config, endedSpans(5));
        assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
        assert.equal(receiver.requests[0]?.encoding, 'gzip');
        assert.equal(receiver.spans().length, 5);
      } finally {
        await receiver.close();
      }
    });
  });
}

describe('exporter TLS files', () => {
  /** Files for the error cases, made once in the PKI's directory. */
  function file(name: string, text: string): string {
    const path = join(pki.dir, name);
    writeFileSync(path, text);
    return path;
  }

  const errorCases: Array<{
    title: string;
    tls: () => { certificate?: string; client_key?: string; client_certificate?: string };
    key: string;
    says: RegExp;
  }> = [
    {
      title: 'a certificate file that does not exist',
      tls: () => ({ certificate: join(pki.dir, 'missing-ca.pem') }),
      key: 'certificate',
      says: /does not exist/,
    },
    {
      title: 'a certificate path that is a directory',
      tls: () => ({ certificate: pki.dir }),
      key: 'certificate',
      says: /not a regular file/,
    },
    {
      title: 'a certificate path that is a FIFO (would block start-up if read)',
      tls: () => {
        const fifo = join(pki.dir, 'ca.fifo');
        execFileSync('mkfifo', [fifo]);
        return { certificate: fifo };
      },
      key: 'certificate',
      says: /not a regular file/,
    },
    {
      title: 'a certificate file that is not PEM',
      tls: () => ({ certificate: file('not-pem.crt', 'hello, I am not a certificate\n') }),
      key: 'certificate',
      says: /holds no PEM certificate/,
    },
    {
      title: 'a certificate file whose PEM block is not a certificate',
      tls: () => ({
        certificate: file('broken.crt', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      }),
      key: 'certificate',
      says: /cannot be parsed/,
    },
    {
      title: 'a private key as the CA certificate',
      tls: () => ({ certificate: pki.ca.keyPath }),
      key: 'certificate',
      says: /holds no PEM certificate/,
    },
    {
      title: 'client_key without client_certificate',
      tls: () => ({ client_key: pki.client.keyPath }),
      key: 'client_certificate',
      says: /client_key is set without client_certificate/,
    },
    {
      title: 'client_certificate without client_key',
      tls: () => ({ client_certificate: pki.client.certPath }),
      key: 'client_key',
      says: /client_certificate is set without client_key/,
    },
    {
      title: 'a client key that is a certificate',
      tls: () => ({ client_key: pki.client.certPath, client_certificate: pki.client.certPath }),
      key: 'client_key',
      says: /holds no PEM private key/,
    },
    {
      title: 'a client key that is not the client certificate’s',
      tls: () => ({ client_key: pki.otherClient.keyPath, client_certificate: pki.client.certPath }),
      key: 'client_key',
      says: /is not the private key of the client certificate/,
    },
    {
      title: 'an encrypted client key',
      tls: () => {
        const encrypted = join(pki.dir, 'encrypted.key');
        execFileSync('/usr/bin/openssl', [
          'pkey',
          '-in',
          pki.client.keyPath,
          '-out',
          encrypted,
          '-aes256',
          '-passout',
          'pass:secret-pass',
        ]);
        return { client_key: encrypted, client_certificate: pki.client.certPath };
      },
      key: 'client_key',
      says: /encrypted private key/,
    },
    {
      title: 'a client certificate file that does not exist',
      tls: () => ({ client_key: pki.client.keyPath, client_certificate: join(pki.dir, 'nope', 'client.crt') }),
      key: 'client_certificate',
      says: /does not exist/,
    },
  ];

  for (const c of errorCases) {
    it(`${c.title}: OBS_ERR_EXPORTER_TLS naming opentelemetry.exporter.${c.key}`, () => {
      const tls = { ...NO_TLS, ...c.tls() };
      assert.throws(
        () => loadExporterTls(tls),
        (err: unknown) => {
          assert.ok(isObservabilityError(err, 'OBS_ERR_EXPORTER_TLS'), String(err));
          assert.equal(err.key, `opentelemetry.exporter.${c.key}`);
          assert.match(err.message, c.says);
          const named = (tls as Record<string, string>)[c.key];
          if (named !== '') assert.ok(err.message.includes(named), `the file is named: ${err.message}`);
          for (const material of [keyBody(pki.client.key), keyBody(pki.otherClient.key), 'secret-pass'])
            assert.ok(!err.message.includes(material), 'no key material in the message');
          return true;
        },
      );
    });
  }

  it('the three files of the test PKI load', () => {
    const tls = loadExporterTls({
      certificate: pki.ca.certPath,
      client_key: pki.client.keyPath,
      client_certificate: pki.client.certPath,
    });
    assert.ok(tls.ca?.equals(pki.ca.cert) && tls.key?.equals(pki.client.key) && tls.cert?.equals(pki.client.cert));
    assert.deepEqual(loadExporterTls(NO_TLS), {}, 'empty keys: system roots, no client certificate');
  });

  it('a CA bundle of several certificates loads', () => {
    const bundle = file('bundle.crt', `${pki.otherCa.cert.toString()}${pki.ca.cert.toString()}`);
    assert.ok(loadExporterTls({ ...NO_TLS, certificate: bundle }).ca !== undefined);
  });

  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`startTracing (${protocol}) rejects with OBS_ERR_EXPORTER_TLS and registers nothing`, async () => {
      const missing = join(pki.dir, 'no-such-dir', 'ca.pem');
      const config = tracingConfig('https://127.0.0.1:9', protocol);
      config.opentelemetry.exporter.certificate = missing;
      try {
        await assert.rejects(startTracing(config, captureLogger().logger), (err: unknown) => {
          assert.ok(isObservabilityError(err, 'OBS_ERR_EXPORTER_TLS'), String(err));
          assert.ok(err.message.includes(missing));
          return true;
        });
        const again = tracingConfig('http://127.0.0.1:9', protocol);
        const tracing = await startTracing(again, captureLogger().logger);
        await tracing.shutdown(500);
      } finally {
        resetOtelGlobals();
      }
    });
  }
});

describe('doctor collector check with TLS', { concurrency: true }, () => {
  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`${protocol}: ok with the CA configured; without it, a failure that names the certificate key`, async () => {
      const receiver = await start(protocol, { key: pki.server.key, cert: pki.server.cert });
      try {
        const trusted = tracingConfig(receiver.url, protocol);
        trusted.opentelemetry.exporter.certificate = pki.ca.certPath;
        trusted.opentelemetry.exporter.timeout_ms = 3_000;
        const ok = await checkCollector(trusted);
        assert.equal(ok.status, 'ok', JSON.stringify(ok));

        const untrusted = tracingConfig(receiver.url, protocol);
        untrusted.opentelemetry.exporter.timeout_ms = 3_000;
        const failed = await checkCollector(untrusted);
        assert.equal(failed.status, 'fail');
        assert.match(String(failed.fix), /opentelemetry\.exporter\.certificate/, JSON.stringify(failed));
      } finally {
        await receiver.close();
      }
    });
  }

  it('an unusable TLS file: a failure naming the key and the file', async () => {
    const receiver = await start('http/protobuf');
    try {
      const config = tracingConfig(receiver.url, 'http/protobuf');
      config.opentelemetry.exporter.client_key = pki.client.keyPath;
      const check = await checkCollector(config);
      assert.equal(check.status, 'fail');
      assert.match(String(check.detail), /client_key is set without client_certificate/);
      assert.match(String(check.fix), /opentelemetry\.exporter\.client_certificate/);
    } finally {
      await receiver.close();
    }
  });
});
