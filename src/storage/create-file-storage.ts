import type { FileStorageConfig } from '../config/config';
import type { FileStorage } from './file-storage';
import { LocalFileStorage } from './local-file.storage';
import { S3FileStorage } from './s3-file.storage';

export function createFileStorage(config: FileStorageConfig): FileStorage {
  return config.kind === 's3' ? S3FileStorage.fromConfig(config) : new LocalFileStorage(config.dir);
}
