import { TrackedField } from '../entities/ticket.enums';

/** A ticket's tracked fields as they appear in history entries (enum names, category/tag keys, usernames, ISO dates). */
export interface TicketSnapshot {
  subject: string;
  body: string;
  type: string;
  status: string;
  priority: string;
  category: string | null;
  server: string | null;
  due: string | null;
  assignees: string[];
  cc: string[];
  notify: string[];
  tags: string[];
  locked: string;
  resolution: string | null;
}

export type SnapshotValue = string | string[] | null;

export interface FieldChange {
  field: TrackedField;
  /** For TrackedField.CUSTOM_FIELD: the custom field's key. */
  customFieldKey?: string | null;
  oldValue: SnapshotValue;
  newValue: SnapshotValue;
}

const LIST_FIELDS = new Set<TrackedField>([TrackedField.ASSIGNEES, TrackedField.CC, TrackedField.NOTIFY, TrackedField.TAGS]);

export function isListField(field: TrackedField): boolean {
  return LIST_FIELDS.has(field);
}

/** Lists compare as sets: reordering assignees is not a change. */
export function sameValue(a: SnapshotValue, b: SnapshotValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const sa = [...new Set(Array.isArray(a) ? a : [])].sort();
    const sb = [...new Set(Array.isArray(b) ? b : [])].sort();
    return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
  }
  return a === b;
}

/** The tracked fields that really changed, in a stable order. */
export function diffTickets(before: TicketSnapshot, after: TicketSnapshot): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of Object.values(TrackedField)) {
    // Custom fields are diffed by CustomFieldService (one entry per field key).
    if (field === TrackedField.CUSTOM_FIELD) continue;
    const oldValue = before[field];
    const newValue = after[field];
    if (!sameValue(oldValue, newValue)) changes.push({ field, oldValue, newValue });
  }
  return changes;
}
