import type { AuthChecker } from 'type-graphql';
import { forbidden, unauthenticated } from '../common/errors';
import type { Privilege } from '../entities/ticket.enums';
import { hasPrivilege } from '../services/access';
import type { RequestContext } from './context';

/**
 * What `@Authorized(...)` on a resolver declares: a signed-in caller (no privileges listed) holding
 * every privilege listed (admins hold all). Anonymous callers get UNAUTHENTICATED, others FORBIDDEN
 * naming the privilege, before the resolver runs.
 */
export const authChecker: AuthChecker<RequestContext, Privilege> = ({ context }, privileges) => {
  const viewer = context.viewer;
  if (!viewer) throw unauthenticated();
  const missing = privileges.find((p) => !hasPrivilege(viewer, p));
  if (missing) throw forbidden(`This requires the ${missing} privilege`);
  return true;
};
