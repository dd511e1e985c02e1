import crypto from 'node:crypto';
import { requestScope } from '../common/request-scope';
import type { Database } from '../db/database';
import type { User } from '../entities/user.entity';
import { createLoaders, type LoaderOptions } from '../loaders/loaders';
import { systemViewer, type RequestContext, type Viewer } from './context';

/**
 * Makes RequestContexts: for HTTP requests and WebSocket operations (a viewer or anonymous), and
 * for work the server does by itself. Each has its own DataLoaders, so nothing cached crosses
 * requests or users; the viewer is primed, as the author of much of what a request reads back.
 */
export class RequestContexts {
  constructor(
    private readonly db: Database,
    private readonly loaderOptions: LoaderOptions = {},
  ) {}

  create(viewer: Viewer | null): RequestContext {
    const loaders = createLoaders(this.db, this.loaderOptions);
    if (viewer) loaders.primeUser(viewer.user);
    return { requestId: requestScope.getStore()?.requestId ?? crypto.randomUUID(), viewer, loaders };
  }

  /**
   * For background work: the server acting by itself, named by its task, on behalf of `onBehalfOf`
   * (whom what it writes is attributed to); without one, a context for bookkeeping that acts for
   * nobody (claims, sweeps).
   */
  system(task: string, onBehalfOf: User | null = null): RequestContext {
    return this.create(onBehalfOf ? systemViewer(task, onBehalfOf) : null);
  }
}
