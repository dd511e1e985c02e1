import crypto from 'node:crypto';
import { ok, refusal, refused, UserErrorCode, type Result } from '../common/result';
import type { Database } from '../db/database';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import { isMailAddress } from '../common/mail-address';

const FIELD = ['input', 'requester'];

/** Whom a ticket is for: a user found now, or a requester-only user to create with the ticket. */
export type RequesterChoice = { user: User } | { newUser: Pick<User, 'username' | 'name' | 'email'> };

/**
 * Resolves ticketCreate's `requester`: a username, or an e-mail address (it contains "@"; usernames
 * cannot) looked up case-insensitively among users' addresses. An address no user has becomes a
 * requester-only user when REQUESTER_AUTO_CREATE is on: its username is derived from the address
 * (local part and a hash of the whole address), so concurrent creates for one new address collide on
 * the unique username instead of creating two users; the loser retries and finds the winner's.
 */
export class RequesterResolver {
  constructor(
    private readonly db: Database,
    private readonly autoCreate: boolean,
  ) {}

  async resolve(ctx: RequestContext, raw: string): Promise<Result<RequesterChoice>> {
    const given = raw.trim();
    if (!given.includes('@')) {
      const user = await this.db.em(ctx).findOneBy(User, { username: given.toLowerCase(), active: true });
      return user ? ok({ user }) : refused(refusal(FIELD, UserErrorCode.NOT_FOUND, `No active user ${given}`));
    }
    if (!isMailAddress(given)) return refused(refusal(FIELD, UserErrorCode.INVALID, `Not a valid e-mail address: ${given}`));
    const email = given.toLowerCase();
    const users = await this.db.em(ctx).createQueryBuilder(User, 'u').where('LOWER(u.email) = :email', { email }).orderBy('u.id').getMany();
    const active = users.filter((u) => u.active);
    if (active.length === 1) return ok({ user: active[0] });
    if (active.length > 1) {
      return refused(refusal(FIELD, UserErrorCode.INVALID, `${active.length} users have the address ${given} (${active.map((u) => u.username).join(', ')}); name the requester by username`));
    }
    if (users.length > 0) return refused(refusal(FIELD, UserErrorCode.NOT_FOUND, `The user with the address ${given} (${users[0].username}) is inactive`));
    if (!this.autoCreate) return refused(refusal(FIELD, UserErrorCode.NOT_FOUND, `No user has the e-mail address ${given} (REQUESTER_AUTO_CREATE is off, so none is created)`));
    return ok({ newUser: { username: requesterUsername(email), name: given, email: given } });
  }

  /** The requester's user id, inserting the requester-only user in the ticket's transaction. */
  async materialize(tx: RequestContext, choice: RequesterChoice, at: Date): Promise<{ user: User; created: boolean }> {
    if ('user' in choice) return { user: choice.user, created: false };
    const em = this.db.em(tx);
    const user = em.create(User, { ...choice.newUser, privileges: [], categoryIds: null, active: true, mailEnabled: true, requesterOnly: true, createdAt: at });
    await em.insert(User, user);
    return { user, created: true };
  }
}

/** jane.doe@example.com -> jane.doe-1a2b3c4d: readable, and the same for the same address (case aside). */
export function requesterUsername(email: string): string {
  const hash = crypto.createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 8);
  const local = email.slice(0, email.lastIndexOf('@')).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 40).replace(/[^a-z0-9]+$/, '');
  return `${local || 'requester'}-${hash}`;
}
