import { registerEnumType } from 'type-graphql';

/** Stored as the lower-case value, exposed in GraphQL by the upper-case name. */
export enum TicketType {
  ISSUE = 'issue',
  FEATURE = 'feature',
  RELEASE = 'release',
  CHANGE = 'change',
  MAINTENANCE = 'maintenance',
  QUESTION = 'question',
  OTHER = 'other',
}

export enum TicketStatus {
  DRAFT = 'draft',
  OPEN = 'open',
  IN_PROGRESS = 'in_progress',
  ON_HOLD = 'on_hold',
  RESOLVED = 'resolved',
  CLOSED = 'closed',
}

/** Work still to be done: drafts are not ready yet, resolved and closed are finished. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = [TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD];
/** Finished work. */
export const DONE_STATUSES: readonly TicketStatus[] = [TicketStatus.RESOLVED, TicketStatus.CLOSED];

/** Stored as a rank so that sorting by priority is an index scan. */
export enum TicketPriority {
  LOW = 1,
  NORMAL = 2,
  HIGH = 3,
  URGENT = 4,
}

export enum ChangeType {
  CREATED = 'created',
  CHANGE = 'change',
  COMMENT = 'comment',
  COMMENT_DELETED = 'comment_deleted',
  DELETED = 'deleted',
  RESTORED = 'restored',
  FILE_ADDED = 'file_added',
  FILE_REMOVED = 'file_removed',
  FILE_EXPIRED = 'file_expired',
  /** A job launched from the ticket changed status (queued, running, succeeded ...). */
  JOB = 'job',
}

/** The ticket fields whose edits are recorded as CHANGE entries. */
export enum TrackedField {
  SUBJECT = 'subject',
  BODY = 'body',
  TYPE = 'type',
  STATUS = 'status',
  PRIORITY = 'priority',
  CATEGORY = 'category',
  SERVER = 'server',
  DUE = 'due',
  ASSIGNEES = 'assignees',
  CC = 'cc',
  NOTIFY = 'notify',
  TAGS = 'tags',
  LOCKED = 'locked',
  RESOLUTION = 'resolution',
}

export enum Privilege {
  CREATE_TICKETS = 'create_tickets',
  EDIT_TICKETS = 'edit_tickets',
  DELETE_TICKETS = 'delete_tickets',
  MANAGE_CATEGORIES = 'manage_categories',
  MANAGE_TAGS = 'manage_tags',
  MANAGE_GROUPS = 'manage_groups',
  ADMIN = 'admin',
}

registerEnumType(TicketType, { name: 'TicketType', description: 'What kind of work a ticket tracks.' });
registerEnumType(TicketStatus, { name: 'TicketStatus', description: 'Where a ticket is in its life. DRAFT records no history and sends no mail.' });
registerEnumType(TicketPriority, { name: 'TicketPriority' });
registerEnumType(ChangeType, { name: 'ChangeType', description: 'The kind of a history entry.' });
registerEnumType(TrackedField, { name: 'TicketField', description: 'A ticket field whose edits are recorded in the history.' });
registerEnumType(Privilege, { name: 'Privilege' });

/** Enum member name (the GraphQL spelling) for a stored value, used in change entries. */
export function enumName<E extends Record<string, string | number>>(e: E, value: E[keyof E]): string {
  const name = Object.keys(e).find((k) => e[k] === value && Number.isNaN(Number(k)));
  return name ?? String(value);
}

/** An enum member name for people: IN_PROGRESS -> "In progress". */
export function humanize(enumMemberName: string): string {
  const words = enumMemberName.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
