import type { Loaders } from '../loaders/loaders';
import type { Services } from '../services/services';
import type { User } from '../entities/user.entity';
import type { Privilege } from '../entities/ticket.enums';

/** Who is calling: the user, the privileges in force (the key's subset of the user's) and category limits. */
export interface Viewer {
  user: User;
  privileges: ReadonlySet<Privilege>;
  /** Category ids the caller may see; null means every category. */
  categoryIds: readonly number[] | null;
  apiKeyId: number | null;
  /**
   * Set when no caller is behind the work: the server acts by itself (background work), naming the
   * task. `user` is then whom it acts for (the ticket's creator, the entries' author).
   */
  system?: string;
}

/** The request context every resolver and service method receives first. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer | null;
  loaders: Loaders;
  services: Services;
}
