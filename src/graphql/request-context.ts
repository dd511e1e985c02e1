import crypto from 'node:crypto';
import { requestScope } from '../common/request-scope';
import type { Database } from '../db/database';
import { createLoaders, type LoaderOptions } from '../loaders/loaders';
import type { Services } from '../services/services';
import type { RequestContext, Viewer } from './context';

/**
 * A fresh RequestContext for a viewer: its own DataLoaders (nothing cached crosses requests or
 * users), primed with the caller, who is often the author of what it reads back. Used by HTTP
 * requests, WebSocket operations and work the server does on someone's behalf.
 */
export function createRequestContext(db: Database, services: Services, viewer: Viewer | null, loaderOptions: LoaderOptions = {}): RequestContext {
  const loaders = createLoaders(db, loaderOptions);
  if (viewer) loaders.primeUser(viewer.user);
  return { requestId: requestScope.getStore()?.requestId ?? crypto.randomUUID(), viewer, loaders, services };
}
