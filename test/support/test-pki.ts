/**
 * A throw-away PKI for TLS tests, made with the openssl command-line tool (/usr/bin/openssl) in a
 * temporary directory: a CA, a server certificate for 127.0.0.1 and localhost signed by it, a
 * client certificate signed by it, and a second, unrelated CA with its own client certificate
 * (what a collector must not trust). Keys are P-256, certificates valid for two days.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from './temp-dir.js';

const OPENSSL = '/usr/bin/openssl';

/** One key and certificate: their paths and PEM bytes. */
export interface KeyPair {
  keyPath: string;
  certPath: string;
  key: Buffer;
  cert: Buffer;
}

/** The files of {@link createTestPki}. */
export interface TestPki {
  dir: string;
  ca: KeyPair;
  server: KeyPair;
  client: KeyPair;
  /** A CA the receivers do not trust, and a client certificate it signed. */
  otherCa: KeyPair;
  otherClient: KeyPair;
  remove(): void;
}

/** Runs openssl with `args` (split on whitespace: no argument holds a space) in `cwd`. */
function openssl(args: string, cwd: string): void {
  execFileSync(OPENSSL, args.trim().split(/\s+/), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';

function read(dir: string, name: string): KeyPair {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  return { keyPath, certPath, key: readFileSync(keyPath), cert: readFileSync(certPath) };
}

function makeCa(dir: string, name: string): KeyPair {
  openssl(
    `req -x509 ${EC_KEY} -keyout ${name}.key -out ${name}.crt -days 2 -subj /CN=grey-test-${name}
     -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign`,
    dir,
  );
  return read(dir, name);
}

function makeLeaf(dir: string, name: string, ca: string, extensions: string): KeyPair {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(`req ${EC_KEY} -keyout ${name}.key -out ${name}.csr -subj /CN=grey-test-${name}`, dir);
  openssl(
    `x509 -req -in ${name}.csr -CA ${ca}.crt -CAkey ${ca}.key -CAcreateserial -out ${name}.crt -days 2
     -extfile ${name}.ext`,
    dir,
  );
  return read(dir, name);
}

/** Makes the PKI in a new temporary directory (remove() deletes it). */
export function createTestPki(): TestPki {
  const temp = createTempDir('grey-pki-');
  const dir = temp.path;
  const ca = makeCa(dir, 'ca');
  const server = makeLeaf(
    dir,
    'server',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  const client = makeLeaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  const otherCa = makeCa(dir, 'other-ca');
  const otherClient = makeLeaf(
    dir,
    'other-client',
    'other-ca',
    'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n',
  );
  return { dir, ca, server, client, otherCa, otherClient, remove: () => temp.remove() };
}
