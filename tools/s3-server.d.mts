// Types for tools/s3-server.mjs, so TypeScript tests get a checked handle.

export const S3_ACCESS_KEY_ID: string;
export const S3_SECRET_ACCESS_KEY: string;
export const S3_REGION: string;

export interface S3ServerOptions {
  /** 0 (default) picks an ephemeral port */
  port?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** created before it listens */
  buckets?: string[];
}

export interface S3Server {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  createBucket(name: string): Promise<void>;
  /** a signed PutObject through the AWS SDK */
  putObject(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  /** stops listening (connections are refused); objects are kept */
  stop(): Promise<void>;
  /** listens again on the same port */
  start(): Promise<void>;
  /** stops and deletes every object */
  close(): Promise<void>;
}

export function startS3Server(options?: S3ServerOptions): Promise<S3Server>;
