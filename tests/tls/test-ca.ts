import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A certificate authority made at test time with the openssl CLI, and leaf certificates it signs
// for given host names. Nothing here is trusted by anything but the tests that pass it along.

export interface TestLeaf {
  /** PEM files of the leaf certificate and its key. */
  readonly cert: string;
  readonly key: string;
  /** Upper-case hex, as Node's getPeerCertificate().serialNumber and X509Certificate give it. */
  readonly serial: string;
  /** base64 SHA-256 of the leaf's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
  readonly spki: string;
}

export interface TestCa {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  /** The CA certificate's PEM text, for a Node client's `ca` option. */
  readonly pem: string;
  /** base64 SHA-256 of the CA's SubjectPublicKeyInfo. */
  readonly spki: string;
  /** A new leaf (new key, new random serial) for these DNS names (or IP addresses), in its own folder. */
  issue(names: readonly string[]): TestLeaf;
  /** Deletes the folder with every key in it. */
  remove(): void;
}

const openssl = (args: readonly string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** base64 SHA-256 of a PEM certificate's SubjectPublicKeyInfo. */
export function spkiHash(pem: string | Buffer): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

export function createTestCa(dir = mkdtempSync(join(tmpdir(), 'parley-test-ca-'))): TestCa {
  const cert = join(dir, 'ca.pem');
  const key = join(dir, 'ca.key');
  openssl([
    'req', '-x509', ...EC_KEY, '-days', '2', '-subj', '/CN=Parley test CA', '-keyout', key, '-out', cert,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const pem = readFileSync(cert, 'utf8');
  let issued = 0;
  const issue = (names: readonly string[]): TestLeaf => {
    const leafDir = join(dir, `leaf-${++issued}`);
    mkdirSync(leafDir);
    const [leafCert, leafKey, csr, ext] = ['cert.pem', 'key.pem', 'leaf.csr', 'ext.cnf'].map((f) => join(leafDir, f)) as [string, string, string, string];
    const san = names.map((name) => (isIP(name) === 0 ? `DNS:${name}` : `IP:${name}`)).join(',');
    writeFileSync(ext, [
      'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`, '',
    ].join('\n'));
    openssl(['req', '-new', ...EC_KEY, '-subj', `/CN=${names[0] ?? 'leaf'}`, '-keyout', leafKey, '-out', csr]);
    // Random and positive: every leaf is told apart by its serial.
    const serial = `0x${(randomBytes(16)[0]! & 0x7f).toString(16).padStart(2, '0')}${randomBytes(15).toString('hex')}`;
    openssl(['x509', '-req', '-in', csr, '-CA', cert, '-CAkey', key, '-set_serial', serial, '-days', '2', '-extfile', ext, '-out', leafCert]);
    const leafPem = readFileSync(leafCert);
    return { cert: leafCert, key: leafKey, serial: new X509Certificate(leafPem).serialNumber, spki: spkiHash(leafPem) };
  };
  return { dir, cert, key, pem, spki: spkiHash(pem), issue, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One CA and one leaf for `names`: the paths, and the SPKI hashes of both. */
export function makeTestCertificates(names: readonly string[]): { ca: TestCa; leaf: TestLeaf } {
  const ca = createTestCa();
  return { ca, leaf: ca.issue(names) };
}
