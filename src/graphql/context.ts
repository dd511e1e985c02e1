import type { EntityManager } from 'typeorm';
import type { Loaders } from '../loaders/loaders';
import type { User } from '../entities/user.entity';
import { Privilege } from '../entities/ticket.enums';

/** Who is calling: the user, the privileges in force (the key's subset of the user's) and category limits. */
export interface Viewer {
  user: User;
  privileges: ReadonlySet<Privilege>;
  /** Category ids the caller may see; null means every category. */
  categoryIds: readonly number[] | null;
  /** Limited to tickets the user requested, created, or is assigned or cc'd on (user or key restriction). */
  ownTicketsOnly: boolean;
  apiKeyId: number | null;
  /** How the caller signed in: an API key (ADMIN_API_KEY included) or a JWT; it picks a new ticket's default source. */
  credential?: 'api_key' | 'jwt';
  /**
   * Set when no caller is behind the work: the server acts by itself (background work), naming the
   * task. `user` is then whom it acts for (the ticket's creator, the entries' author).
   */
  system?: string;
}

/**
 * The request: every resolver and service method receives it first. It carries who is asking,
 * the request's DataLoaders and, inside Database.transaction, the open transaction, so every
 * repository access of work done in a transaction uses it (Database.em). Never services.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly viewer: Viewer | null;
  /** Replaced per event for long-lived subscriptions (a delivery brings fresh loaders). */
  loaders: Loaders;
  /** The open transaction, set by Database.transaction on the context it hands its work. */
  readonly tx?: EntityManager;
}

/**
 * The server itself, doing background work on behalf of `onBehalfOf` (whom what it writes is
 * attributed to): every privilege and category, and named by its task, so it is never mistaken
 * for a caller. What authorizes the work is its configuration (an event's ticketOnFailure ...).
 */
export function systemViewer(task: string, onBehalfOf: User): Viewer {
  return { user: onBehalfOf, privileges: new Set(Object.values(Privilege)), categoryIds: null, ownTicketsOnly: false, apiKeyId: null, system: task };
}
