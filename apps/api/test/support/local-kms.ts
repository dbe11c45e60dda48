import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running {@link startLocalKms} server. */
export interface LocalKms {
  /** Endpoint for `AWS_ENDPOINT_URL_KMS`. */
  url: string;
  /** Environment that points the AWS SDK (in this process) at it, with throwaway credentials. */
  env: Record<string, string>;
  /** Operations served so far, e.g. `GenerateDataKey`. */
  calls: string[];
  close(): Promise<void>;
}

/**
 * A KMS-compatible HTTP server for tests (AWS JSON 1.1 protocol, `TrentService.GenerateDataKey`
 * and `TrentService.Decrypt`), so production-mode tests run the real `@aws-sdk/client-kms` over a
 * real socket instead of mocking it. Ciphertext blobs are AES-256-GCM under a key that lives only
 * in this process, bound to the key id and the encryption context like KMS binds them: a blob
 * presented with another context fails with `InvalidCiphertextException`.
 */
export async function startLocalKms(): Promise<LocalKms> {
  const master = randomBytes(32);
  const calls: string[] = [];
  const aad = (keyId: string, context: unknown) =>
    Buffer.from(JSON.stringify([keyId, Object.entries((context ?? {})).sort()]));

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      const operation = target.replace('TrentService.', '');
      calls.push(operation);
      try {
        if (operation === 'GenerateDataKey') {
          const keyId = String(body.KeyId);
          const plaintext = randomBytes(body.KeySpec === 'AES_128' ? 16 : 32);
          const iv = randomBytes(12);
          const cipher = createCipheriv('aes-256-gcm', master, iv);
          cipher.setAAD(aad(keyId, body.EncryptionContext));
          const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
          const blob = Buffer.concat([
            Buffer.from(JSON.stringify({ keyId })),
            Buffer.from([0]),
            iv,
            cipher.getAuthTag(),
            sealed,
          ]);
          reply(200, {
            KeyId: keyId,
            CiphertextBlob: blob.toString('base64'),
            Plaintext: plaintext.toString('base64'),
          });
          return;
        }
        if (operation === 'Decrypt') {
          const blob = Buffer.from(String(body.CiphertextBlob), 'base64');
          const split = blob.indexOf(0);
          const { keyId } = JSON.parse(blob.subarray(0, split).toString('utf8')) as {
            keyId: string;
          };
          const iv = blob.subarray(split + 1, split + 13);
          const tag = blob.subarray(split + 13, split + 29);
          const decipher = createDecipheriv('aes-256-gcm', master, iv);
          decipher.setAAD(aad(keyId, body.EncryptionContext));
          decipher.setAuthTag(tag);
          const plaintext = Buffer.concat([
            decipher.update(blob.subarray(split + 29)),
            decipher.final(),
          ]);
          reply(200, {
            KeyId: keyId,
            Plaintext: plaintext.toString('base64'),
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          });
          return;
        }
        reply(400, { __type: 'UnsupportedOperationException', message: operation });
      } catch {
        reply(400, { __type: 'InvalidCiphertextException', message: 'invalid ciphertext' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    env: {
      AWS_ENDPOINT_URL_KMS: url,
      AWS_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'local-kms-test',
      AWS_SECRET_ACCESS_KEY: 'local-kms-test-secret',
    },
    close: () => new Promise<void>((resolve) => server.close(() => { resolve(); })),
  };
}
