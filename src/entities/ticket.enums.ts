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
  // The types of the xyOps API document, alongside the guide's above.
  TASK = 'task',
  BUG = 'bug',
  INCIDENT = 'incident',
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
  /** A comment was made public or internal (commentUpdate with visibility). Staff-only entry. */
  COMMENT_VISIBILITY = 'comment_visibility',
  /** The ticket was forwarded by mail (ticketForward). Staff-only entry. */
  FORWARDED = 'forwarded',
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
  /** A custom field; the entry names it in customFieldKey. */
  CUSTOM_FIELD = 'custom_field',
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

registerEnumType(TicketType, {
  name: 'TicketType',
  description: 'What kind of work a ticket tracks.',
  valuesConfig: {
    ISSUE: { description: 'Something is broken or not working as expected.' },
    FEATURE: { description: 'A request for new functionality.' },
    RELEASE: { description: 'Shipping a version.' },
    CHANGE: { description: 'A planned change to a system.' },
    MAINTENANCE: { description: 'Routine upkeep.' },
    QUESTION: { description: 'A request for information.' },
    OTHER: { description: 'None of the above.' },
    TASK: { description: 'A piece of work to do (the xyOps API\'s type).' },
    BUG: { description: 'A defect in software (the xyOps API\'s type).' },
    INCIDENT: { description: 'An unplanned interruption or degradation of a service (the xyOps API\'s type).' },
  },
});
registerEnumType(TicketStatus, {
  name: 'TicketStatus',
  description: 'Where a ticket is in its life. DRAFT records no history and sends no mail.',
  valuesConfig: {
    DRAFT: { description: 'Not published yet: no history entries, mail or webhooks; moving it to another status publishes it.' },
    OPEN: { description: 'Submitted and waiting to be worked on.' },
    IN_PROGRESS: { description: 'Someone is working on it.' },
    ON_HOLD: { description: 'Waiting on something outside the ticket.' },
    RESOLVED: { description: 'The work is done; a reply reopens it unless it is locked.' },
    CLOSED: { description: 'Finished and archived.' },
  },
});
registerEnumType(TicketPriority, {
  name: 'TicketPriority',
  description: 'How urgent a ticket is; ordered LOW < NORMAL < HIGH < URGENT for sorting and filters.',
  valuesConfig: {
    LOW: { description: 'Can wait.' },
    NORMAL: { description: 'The default.' },
    HIGH: { description: 'Should be handled before normal work.' },
    URGENT: { description: 'Needs attention now.' },
  },
});
registerEnumType(ChangeType, {
  name: 'ChangeType',
  description: 'The kind of a history entry.',
  valuesConfig: {
    CREATED: { description: 'The ticket was created.' },
    CHANGE: { description: 'Fields were edited; the entry lists each field with its old and new value.' },
    COMMENT: { description: 'A comment or reply.' },
    COMMENT_DELETED: { description: 'A comment was removed.' },
    DELETED: { description: 'The ticket was soft-deleted.' },
    RESTORED: { description: 'A deleted ticket was restored.' },
    FILE_ADDED: { description: 'A file was attached.' },
    FILE_REMOVED: { description: 'An attached file was removed.' },
    FILE_EXPIRED: { description: 'An attached file was removed by the retention policy.' },
    JOB: { description: 'A job launched from the ticket changed status (queued, running, succeeded ...).' },
    COMMENT_VISIBILITY: { description: 'A comment was made public or internal: oldValue and newValue are the visibilities (PUBLIC, INTERNAL). Staff only.' },
    FORWARDED: { description: 'The ticket was forwarded by mail: newValue lists the recipients, body is the message. Staff only.' },
  },
});
registerEnumType(TrackedField, {
  name: 'TicketField',
  description: 'A ticket field whose edits are recorded in the history.',
  valuesConfig: {
    SUBJECT: { description: 'Ticket.subject.' },
    BODY: { description: 'Ticket.body.' },
    TYPE: { description: 'Ticket.type.' },
    STATUS: { description: 'Ticket.status.' },
    PRIORITY: { description: 'Ticket.priority.' },
    CATEGORY: { description: 'Ticket.category.' },
    SERVER: { description: 'Ticket.server.' },
    DUE: { description: 'Ticket.due.' },
    ASSIGNEES: { description: 'Ticket.assignees.' },
    CC: { description: 'Ticket.cc.' },
    NOTIFY: { description: 'Ticket.notify (extra mail addresses).' },
    TAGS: { description: 'Ticket.tags.' },
    LOCKED: { description: 'Ticket.locked.' },
    RESOLUTION: { description: 'Ticket.resolution.' },
    CUSTOM_FIELD: { description: 'A custom field (Ticket.customFields); Change.customFieldKey names it.' },
  },
});
registerEnumType(Privilege, {
  name: 'Privilege',
  description: 'A right granted to a user; mutations and admin-only fields check these.',
  valuesConfig: {
    CREATE_TICKETS: { description: 'Create tickets.' },
    EDIT_TICKETS: { description: 'Change tickets: fields, status, comments, files, attached events and their jobs.' },
    DELETE_TICKETS: { description: 'Delete, restore and purge tickets.' },
    MANAGE_CATEGORIES: { description: 'Create, rename and delete categories.' },
    MANAGE_TAGS: { description: 'Create, rename and delete tags.' },
    MANAGE_GROUPS: { description: 'Create, rename and delete groups and their members.' },
    ADMIN: { description: 'Everything, including users, event definitions, webhooks, SLA policies and the outbox status.' },
  },
});

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
