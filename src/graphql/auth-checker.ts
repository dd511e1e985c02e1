import type { AuthChecker } from 'type-graphql';
import { forbidden, unauthenticated } from '../common/errors';
import { Privilege } from '../entities/ticket.enums';
import { hasPrivilege, isServerAdmin } from '../services/access';
import type { RequestContext } from './context';

/**
 * Declared instead of a privilege on configuration of the whole server: the admin privilege with
 * no category or own-tickets limit (access.ts isServerAdmin). A limited admin administers within
 * its limit (users, keys); a webhook, an event definition or a custom field reaches every ticket.
 */
export const SERVER_ADMIN = 'server_admin';

/** What `@Authorized(...)` lists: privileges, or SERVER_ADMIN. */
export type Requirement = Privilege | typeof SERVER_ADMIN;

/**
 * What `@Authorized(...)` on a resolver declares: a signed-in caller (nothing listed) holding every
 * privilege listed (admins hold all). Anonymous callers get UNAUTHENTICATED, others FORBIDDEN
 * naming what is missing, before the resolver runs.
 */
export const authChecker: AuthChecker<RequestContext, Requirement> = ({ context }, requirements) => {
  const viewer = context.viewer;
  if (!viewer) throw unauthenticated();
  for (const requirement of requirements) {
    if (requirement === SERVER_ADMIN) {
      if (!isServerAdmin(viewer)) {
        throw forbidden(
          hasPrivilege(viewer, Privilege.ADMIN)
            ? 'This configures the whole server: it requires an admin limited neither to categories nor to own tickets (by its user or its key)'
            : `This requires the ${Privilege.ADMIN} privilege`,
        );
      }
    } else if (!hasPrivilege(viewer, requirement)) {
      throw forbidden(`This requires the ${requirement} privilege`);
    }
  }
  return true;
};
