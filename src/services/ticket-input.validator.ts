import { In } from 'typeorm';
import type { AppConfig } from '../config/config';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database } from '../db/database';
import { parseDue } from '../common/due-date';
import { cleanMarkdown, cleanSubject } from '../common/text';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import { User } from '../entities/user.entity';
import type { RequestContext, Viewer } from '../graphql/context';
import { canSeeCategory } from './access';
import { isMailAddress } from '../common/mail-address';

const MAX_LIST = 100;
const SERVER_MAX = 200;
/** Raw ticket fields as they arrive in create/update inputs (undefined: not given; null: clear). */
export interface TicketFieldsInput {
  subject?: string | null;
  body?: string | null;
  category?: string | null;
  tags?: string[] | null;
  server?: string | null;
  assignees?: string[] | null;
  cc?: string[] | null;
  notify?: string[] | null;
  due?: string | null;
}

/** Validated, normalized values; only fields that were given are present. */
export interface NormalizedTicketFields {
  subject?: string;
  body?: string;
  category?: Category | null;
  tags?: Tag[];
  server?: string | null;
  assignees?: User[];
  cc?: User[];
  notify?: string[];
  due?: Date | null;
}

/**
 * Checks ticket fields and resolves references (category and tag keys, usernames) in a few
 * batched lookups. Collects every problem so a client can fix them all in one go.
 */
export class TicketInputValidator {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
  ) {}

  async validate(ctx: RequestContext, viewer: Viewer, input: TicketFieldsInput): Promise<Result<NormalizedTicketFields>> {
    const em = this.db.em(ctx);
    const errors: Refusal[] = [];
    const out: NormalizedTicketFields = {};
    const path = (name: string) => ['input', name];

    if (input.subject !== undefined) {
      const subject = cleanSubject(input.subject ?? '');
      if (subject === '') errors.push(refusal(path('subject'), UserErrorCode.BLANK, 'Subject must not be blank'));
      else if (subject.length > this.limits.subjectMaxLength) {
        errors.push(refusal(path('subject'), UserErrorCode.TOO_LONG, `Subject is longer than ${this.limits.subjectMaxLength} characters`));
      } else out.subject = subject;
    }

    if (input.body !== undefined) {
      const body = cleanMarkdown(input.body ?? '');
      if (Buffer.byteLength(body, 'utf8') > this.limits.bodyMaxBytes) {
        errors.push(refusal(path('body'), UserErrorCode.TOO_LONG, `Body is larger than ${this.limits.bodyMaxBytes} bytes`));
      } else out.body = body;
    }

    if (input.server !== undefined) {
      const server = (input.server ?? '').trim();
      if (server.length > SERVER_MAX) errors.push(refusal(path('server'), UserErrorCode.TOO_LONG, `Server is longer than ${SERVER_MAX} characters`));
      else out.server = server === '' ? null : server;
    }

    if (input.due !== undefined) {
      const due = input.due === null ? ({ ok: true, value: null } as const) : parseDue(input.due);
      if (due.ok) out.due = due.value;
      else errors.push(refusal(path('due'), UserErrorCode.INVALID, due.message));
    }

    if (input.notify !== undefined) {
      const notify = dedupe((input.notify ?? []).map((e) => e.trim()).filter((e) => e !== ''), (e) => e.toLowerCase());
      const bad = notify.filter((e) => !isMailAddress(e));
      if (bad.length > 0) errors.push(refusal(path('notify'), UserErrorCode.INVALID, `Not a valid e-mail address: ${bad.join(', ')}`));
      else if (notify.length > MAX_LIST) errors.push(refusal(path('notify'), UserErrorCode.INVALID, `At most ${MAX_LIST} addresses`));
      else out.notify = notify;
    }

    if (input.category !== undefined) {
      const key = (input.category ?? '').trim();
      if (key === '') out.category = null;
      else {
        const category = await em.findOneBy(Category, { key });
        if (!category) errors.push(refusal(path('category'), UserErrorCode.NOT_FOUND, `Unknown category: ${key}`));
        else if (!canSeeCategory(viewer, category.id)) {
          errors.push(refusal(path('category'), UserErrorCode.FORBIDDEN, `You may not file tickets in category ${key}`));
        } else out.category = category;
      }
    }
    if (out.category === null && viewer.categoryIds !== null) {
      errors.push(refusal(path('category'), UserErrorCode.FORBIDDEN, 'You are restricted to some categories: choose one of them'));
    }

    if (input.tags !== undefined) {
      const keys = cleanList(input.tags);
      const tags = keys.length ? await em.findBy(Tag, { key: In(keys) }) : [];
      const unknown = keys.filter((k) => !tags.some((t) => t.key === k));
      if (unknown.length > 0) errors.push(refusal(path('tags'), UserErrorCode.NOT_FOUND, `Unknown tag: ${unknown.join(', ')}`));
      else if (keys.length > MAX_LIST) errors.push(refusal(path('tags'), UserErrorCode.INVALID, `At most ${MAX_LIST} tags`));
      else out.tags = keys.map((k) => tags.find((t) => t.key === k) as Tag);
    }

    const people = { assignees: cleanList(input.assignees), cc: cleanList(input.cc) };
    const usernames = [...new Set([...people.assignees, ...people.cc])];
    const users = usernames.length ? await em.findBy(User, { username: In(usernames), active: true }) : [];
    for (const role of ['assignees', 'cc'] as const) {
      if (input[role] === undefined) continue;
      const names = people[role];
      const unknown = names.filter((n) => !users.some((u) => u.username === n));
      if (unknown.length > 0) errors.push(refusal(path(role), UserErrorCode.NOT_FOUND, `Unknown user: ${unknown.join(', ')}`));
      else if (names.length > MAX_LIST) errors.push(refusal(path(role), UserErrorCode.INVALID, `At most ${MAX_LIST} users`));
      else out[role] = names.map((n) => users.find((u) => u.username === n) as User);
    }

    return errors.length > 0 ? refused(...errors) : ok(out);
  }
}

function cleanList(values: string[] | null | undefined): string[] {
  return dedupe((values ?? []).map((v) => v.trim()).filter((v) => v !== ''), (v) => v);
}

function dedupe<T>(values: T[], keyOf: (v: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = keyOf(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
