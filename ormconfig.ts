/**
 * The data source as TypeORM's own CLI expects it, configured from the same environment as the
 * server: e.g. `npx typeorm-ts-node-commonjs migration:show -d ormconfig.ts`.
 * The app itself runs migrations at start and through `npm run cli -- migrate`.
 */
import 'reflect-metadata';
import { loadConfig } from './src/config/config';
import { createLogger } from './src/common/logger';
import { createDataSource } from './src/db/data-source';

export default createDataSource(loadConfig().database, createLogger('warn'));
