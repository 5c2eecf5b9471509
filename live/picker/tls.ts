/**
 * The picker's TLS credentials (live.md §1.6: the router serves TLS by default with a self-signed
 * certificate): a given PEM certificate and key, or one generated in memory at start-up
 * (`selfsigned`, RSA 2048, SHA-256, CN and SAN `localhost` / 127.0.0.1, valid one year).
 */
import { readFileSync } from 'node:fs';
import selfsigned from 'selfsigned';
import { inputError } from '../../sim/core/errors.js';

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export async function selfSignedPem(): Promise<Pem> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

export function pemFromFiles(certPath: string, keyPath: string): Pem {
  const read = (p: string, flag: string): string => {
    try {
      return readFileSync(p, 'utf8');
    } catch (err) {
      throw inputError(flag, p, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'give a PEM file');
    }
  };
  const cert = read(certPath, '--cert');
  const key = read(keyPath, '--key');
  if (!cert.includes('BEGIN CERTIFICATE')) throw inputError('--cert', certPath, 'not a PEM certificate', 'give a PEM file starting with -----BEGIN CERTIFICATE-----');
  if (!key.includes('PRIVATE KEY')) throw inputError('--key', keyPath, 'not a PEM private key', 'give a PEM file with a PRIVATE KEY block');
  return { cert, key };
}
