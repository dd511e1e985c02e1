/** Opaque global ids: base64url("<Type>:<row id>"). Clients must not parse them. */
export type NodeTypeName = 'Ticket' | 'Change' | 'User' | 'Category' | 'Tag' | 'ApiKey' | 'SavedSearch' | 'TicketFile' | 'SlaPolicy' | 'Group' | 'Webhook' | 'WebhookDelivery' | 'Event' | 'TicketEvent' | 'Job' | 'TicketOrigin' | 'CustomField';
const NODE_TYPES: readonly NodeTypeName[] = ['Ticket', 'Change', 'User', 'Category', 'Tag', 'ApiKey', 'SavedSearch', 'TicketFile', 'SlaPolicy', 'Group', 'Webhook', 'WebhookDelivery', 'Event', 'TicketEvent', 'Job', 'TicketOrigin', 'CustomField'];

export function toGlobalId(type: NodeTypeName, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export function fromGlobalId(globalId: string): { type: NodeTypeName; id: number } | null {
  if (globalId.length > 64 || !/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const m = /^([A-Za-z]+):([1-9]\d{0,14})$/.exec(decoded);
  if (!m || !NODE_TYPES.includes(m[1] as NodeTypeName)) return null;
  return { type: m[1] as NodeTypeName, id: Number(m[2]) };
}

/** The row id behind a global id of the expected type, or null when it is malformed or of another type. */
export function rowIdOf(type: NodeTypeName, globalId: string): number | null {
  const parsed = fromGlobalId(globalId);
  return parsed && parsed.type === type ? parsed.id : null;
}

/** A number as people write it: "42" or "#42" (tickets and jobs are numbered). */
function parseNumber(value: string): number | null {
  const num = /^#?([1-9]\d{0,9})$/.exec(value.trim());
  return num ? Number(num[1]) : null;
}

export type TicketRef = { by: 'id'; id: number } | { by: 'number'; number: number };

/** A ticket argument: its global id, its number ("42"), or "#42". */
export function parseTicketRef(value: string): TicketRef | null {
  const number = parseNumber(value);
  if (number !== null) return { by: 'number', number };
  const id = rowIdOf('Ticket', value);
  return id === null ? null : { by: 'id', id };
}

/** A saved search as an argument names it: a built-in view (by key) or one of the caller's (row id). */
export type SavedSearchRef = { view: string } | { id: number };

/** A job argument: its global id or its number (a job's number is its row id). */
export function parseJobId(value: string): number | null {
  return rowIdOf('Job', value) ?? parseNumber(value);
}
