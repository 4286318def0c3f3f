// A real S3-compatible server on loopback for tests and the demo: s3rver (the maintained
// @20minutes fork, which checks SigV4 signatures) storing objects in a temporary directory.
// Objects are uploaded through the real AWS SDK, signed like any S3 client's requests.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from '@20minutes/s3rver';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

// s3rver's built-in account; any other key id is refused (InvalidAccessKeyId), and a wrong
// secret fails the signature check (SignatureDoesNotMatch).
export const S3_ACCESS_KEY_ID = 'S3RVER';
export const S3_SECRET_ACCESS_KEY = 'S3RVER';
export const S3_REGION = 'us-east-1';

/**
 * @typedef {object} S3ServerOptions
 * @property {number} [port] 0 (default) picks an ephemeral port
 * @property {string} [host] default '127.0.0.1'
 * @property {string[]} [buckets] created before it listens
 */

/**
 * @typedef {object} S3Server
 * @property {string} endpoint e.g. http://127.0.0.1:41234
 * @property {number} port
 * @property {(name: string) => Promise<void>} createBucket
 * @property {(bucket: string, key: string, body: string | Uint8Array) => Promise<void>} putObject
 * @property {() => Promise<void>} stop stops listening (connections refused); objects are kept
 * @property {() => Promise<void>} start listens again on the same port
 * @property {() => Promise<void>} close stops and deletes every object
 */

/**
 * @param {S3ServerOptions} [options]
 * @returns {Promise<S3Server>}
 */
export async function startS3Server(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const directory = await mkdtemp(path.join(tmpdir(), 'proconf-s3-'));
  /** @param {number} port */
  const create = (port) =>
    new S3rver({
      port,
      address: host,
      silent: true,
      directory,
      configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    });
  /** @type {S3rver | undefined} */
  let server = create(options.port ?? 0);
  const { port } = await server.run();
  const endpoint = `http://${host}:${port}`;
  const client = new S3Client({
    region: S3_REGION,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
  });

  const stop = async () => {
    const running = server;
    server = undefined;
    if (running === undefined) return;
    // Down means down: close() alone waits for every open connection, and a keep-alive
    // connection busy with an answer its client abandoned (a read cut at the size limit)
    // would hold it for good.
    const closed = running.close();
    running.httpServer?.closeAllConnections();
    await closed;
  };

  return {
    endpoint,
    port,
    // Through the store: s3rver's signature check refuses the SDK's signed CreateBucket (it
    // computes the canonical request of a bucket-level PUT differently); object calls pass.
    createBucket: async (name) => {
      if (server === undefined) throw new Error('the S3 server is stopped');
      await server.store.putBucket(name);
    },
    putObject: async (bucket, key, body) => {
      // Bytes, not a string: the SDK then knows the length of an empty body too.
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
    },
    stop,
    start: async () => {
      if (server !== undefined) return;
      server = create(port);
      await server.run();
    },
    close: async () => {
      await stop();
      client.destroy();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
