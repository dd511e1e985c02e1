import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { FileStorageConfig } from '../config/config';
import type { FileStorage, StagedObject } from './file-storage';

type S3Config = Extract<FileStorageConfig, { kind: 's3' }>;

/**
 * Files in S3-compatible object storage (AWS S3, MinIO, Ceph). Uploads stream as multipart
 * uploads with at most queueSize parts of partSize in memory; staging goes under tmp/ and
 * promote() copies to the final key and deletes the staged one. A lifecycle rule expiring tmp/
 * after a day is a sensible safety net next to sweepStaged().
 */
export class S3FileStorage implements FileStorage {
  readonly kind = 's3';
  private static readonly PART_SIZE = 8 * 1024 * 1024;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  static fromConfig(c: S3Config): S3FileStorage {
    const client = new S3Client({
      region: c.region,
      endpoint: c.endpoint ?? undefined,
      forcePathStyle: c.forcePathStyle,
      credentials: c.accessKeyId && c.secretAccessKey ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : undefined,
      // Checksums on every request would need the whole body up front for some servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3FileStorage(client, c.bucket, c.prefix);
  }

  async stage(content: Readable, contentType: string): Promise<StagedObject> {
    const staged = { tempKey: `tmp/${crypto.randomUUID()}` };
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.key(staged.tempKey), Body: content, ContentType: contentType },
      queueSize: 2,
      partSize: S3FileStorage.PART_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      await this.discard(staged).catch(() => undefined);
      throw err;
    }
    return staged;
  }

  async promote(staged: StagedObject, key: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({ Bucket: this.bucket, Key: this.key(key), CopySource: encodeURI(`${this.bucket}/${this.key(staged.tempKey)}`) }),
    );
    await this.discard(staged);
  }

  async discard(staged: StagedObject): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(staged.tempKey) }));
  }

  async open(key: string): Promise<Readable | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return out.Body as Readable;
    } catch (err) {
      if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }

  async sweepStaged(olderThanMs: number): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key('tmp/'), ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (o.Key && o.LastModified && Date.now() - o.LastModified.getTime() > olderThanMs) {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: o.Key }));
          removed++;
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  async *finalKeys(olderThanMs: number): AsyncIterable<string> {
    const prefix = this.prefix ? `${this.prefix}/` : '';
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const key = o.Key?.slice(prefix.length);
        if (key && !key.startsWith('tmp/') && o.LastModified && Date.now() - o.LastModified.getTime() > olderThanMs) yield key;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }
}
