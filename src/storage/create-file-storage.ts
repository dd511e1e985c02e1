import type { FileStorageConfig } from '../config/config';
import type { FileStorage } from './file-storage';
import { LocalFileStorage } from './local-file.storage';

export function createFileStorage(config: FileStorageConfig): FileStorage {
  if (config.kind === 'local') return new LocalFileStorage(config.dir);
  // Loaded only when configured: the AWS SDK costs tens of MB of memory a local setup never uses.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3FileStorage } = require('./s3-file.storage') as typeof import('./s3-file.storage');
  return S3FileStorage.fromConfig(config);
}
