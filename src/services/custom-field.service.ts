import { In } from 'typeorm';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database, InTransaction } from '../db/database';
import { Category } from '../entities/category.entity';
import { CustomField, CustomFieldCategory, CustomFieldType, type CustomFieldChoice } from '../entities/custom-field.entity';
import { TicketFieldValue } from '../entities/ticket-field-value.entity';
import { TrackedField } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import type { CustomFieldChoiceInput, CustomFieldCreateInput, CustomFieldUpdateInput, CustomFieldValueInput } from '../graphql/inputs/custom-field.input';
import { CustomFieldValue } from '../graphql/types/custom-field-value.type';
import { valueColumn, type CustomFieldDef, type CustomFieldLookup } from '../search/custom-field.filter';
import type { FieldChange, SnapshotValue } from './ticket-diff';

const FIELD_KEY = /^[a-z][a-z0-9_]{0,63}$/;
const CHOICE_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
export const TEXT_MAX = 500;
const CHOICES_MAX = 200;

/** One stored value row (a multi-choice field has one per chosen key); username for USER values. */
export interface ValueRow {
  valueText: string | null;
  valueNumber: number | null;
  valueDate: string | null;
  valueUserId: number | null;
  username?: string | null;
}

/** A validated value to set: the field and its new rows (none: cleared). */
export interface ValueChange {
  field: CustomFieldDef;
  rows: ValueRow[];
}

/** What an update does to a ticket's custom fields: history diffs, refusals (required fields), and the write. */
export interface ValuePlan {
  diffs: FieldChange[];
  refusals: Refusal[];
  changes: ValueChange[];
}

const VARIANTS: Record<CustomFieldType, keyof CustomFieldValueInput> = {
  [CustomFieldType.TEXT]: 'text',
  [CustomFieldType.NUMBER]: 'number',
  [CustomFieldType.DATE]: 'date',
  [CustomFieldType.SINGLE_CHOICE]: 'choice',
  [CustomFieldType.MULTI_CHOICE]: 'choices',
  [CustomFieldType.USER]: 'user',
};
const VARIANT_NAMES = Object.values(VARIANTS);

/**
 * Custom fields: admin-defined typed ticket fields and the tickets' values of them. Definitions
 * are few and read by every search that names cf.<key> and every ticket write that sets values, so
 * they are kept in memory (this is the CustomFieldLookup searches use), like active webhooks:
 * loaded at start, after each change made here, and by every outbox worker round (another
 * replica's change arrives within a poll interval).
 */
export class CustomFieldService implements CustomFieldLookup {
  private defs = new Map<string, CustomFieldDef>();

  constructor(private readonly db: Database) {}

  byKey(key: string): CustomFieldDef | undefined {
    return this.defs.get(key);
  }

  byId(id: number): CustomFieldDef | undefined {
    for (const d of this.defs.values()) if (d.id === id) return d;
    return undefined;
  }

  /** Every definition, in display order. */
  all(): CustomFieldDef[] {
    return [...this.defs.values()].sort((a, b) => a.position - b.position || a.key.localeCompare(b.key));
  }

  async refresh(): Promise<void> {
    const [fields, required] = await Promise.all([this.db.manager.find(CustomField), this.db.manager.find(CustomFieldCategory)]);
    const defs = new Map<string, CustomFieldDef>();
    for (const f of fields) {
      defs.set(f.key, { id: f.id, key: f.key, title: f.title, type: f.type, choices: f.choices, active: f.active, position: f.position, createdAt: f.createdAt, requiredIn: required.filter((r) => r.fieldId === f.id).map((r) => r.categoryId) });
    }
    this.defs = defs;
  }

  list(ctx: RequestContext, includeArchived: boolean): Promise<CustomField[]> {
    return this.db.em(ctx).find(CustomField, { where: includeArchived ? {} : { active: true }, order: { position: 'ASC', key: 'ASC' } });
  }

  /** For node(id:): every signed-in caller reads the definitions (customFields), archived ones too. */
  findVisible(ctx: RequestContext, id: number): Promise<CustomField | null> {
    return this.db.em(ctx).findOneBy(CustomField, { id });
  }

  /** The categories where the field is required (from the catalog). */
  async requiredIn(ctx: RequestContext, field: CustomField): Promise<Category[]> {
    const ids = this.byKey(field.key)?.requiredIn ?? [];
    const rows = await ctx.loaders.categoryById.loadMany(ids);
    return rows.filter((c): c is Category => c instanceof Category).sort((a, b) => a.key.localeCompare(b.key));
  }

  // ---- admin writes ----

  async create(ctx: RequestContext, input: CustomFieldCreateInput): Promise<Result<CustomField>> {
    const key = input.key.trim().toLowerCase();
    const refusals: Refusal[] = [];
    if (!FIELD_KEY.test(key)) refusals.push(refusal(['input', 'key'], UserErrorCode.INVALID, 'A key is a lower-case letter, then up to 63 letters, digits or _ (it is used as cf.<key> in queries)'));
    const choices = this.checkChoices(input.type, input.choices ?? null, true, refusals);
    const title = this.checkTitle(input.title ?? key, refusals);
    const categories = await this.categories(ctx, input.requiredInCategories ?? [], refusals);
    if (refusals.length) return refused(...refusals);
    const created = await this.db.transaction(ctx, async (tx): Promise<Result<CustomField>> => {
      const em = this.db.em(tx);
      if (await em.existsBy(CustomField, { key })) return refused(refusal(['input', 'key'], UserErrorCode.TAKEN, `A custom field with key ${key} exists`));
      const field = em.create(CustomField, { key, title, type: input.type, choices: choices ?? [], active: true, position: input.position ?? 0, createdAt: new Date() });
      await em.insert(CustomField, field);
      if (categories.length) await em.insert(CustomFieldCategory, categories.map((c) => ({ fieldId: field.id, categoryId: c.id })));
      return ok(field);
    });
    await this.refresh();
    return created;
  }

  async update(ctx: RequestContext, rawKey: string, input: CustomFieldUpdateInput): Promise<Result<CustomField>> {
    const key = rawKey.trim().toLowerCase();
    const refusals: Refusal[] = [];
    const title = input.title != null ? this.checkTitle(input.title, refusals) : undefined;
    const categories = input.requiredInCategories != null ? await this.categories(ctx, input.requiredInCategories, refusals) : null;
    if (refusals.length) return refused(...refusals);
    const updated = await this.db.transaction(ctx, async (tx): Promise<Result<CustomField>> => {
      const em = this.db.em(tx);
      const field = await em.findOneBy(CustomField, { key });
      if (!field) return refused(refusal(['key'], UserErrorCode.NOT_FOUND, `No custom field ${key}`));
      const type = input.type ?? field.type;
      if (type !== field.type && (await em.existsBy(TicketFieldValue, { fieldId: field.id }))) {
        return refused(refusal(['input', 'type'], UserErrorCode.IN_USE, `Tickets hold values of ${key}; its type cannot change (archive it and create another field)`));
      }
      const more: Refusal[] = [];
      const isChoice = type === CustomFieldType.SINGLE_CHOICE || type === CustomFieldType.MULTI_CHOICE;
      // A type change to a choice type needs choices; away from one drops them.
      const choices = input.choices != null || (type !== field.type && isChoice) ? this.checkChoices(type, input.choices ?? null, true, more) : isChoice ? field.choices : [];
      if (more.length) return refused(...more);
      if (input.choices != null && isChoice && type === field.type) {
        const removed = field.choices.map((c) => c.key).filter((k) => !choices!.some((c) => c.key === k));
        if (removed.length) {
          const used = await em.find(TicketFieldValue, { where: { fieldId: field.id, valueText: In(removed) }, select: { valueText: true }, take: 1 });
          if (used.length) return refused(refusal(['input', 'choices'], UserErrorCode.IN_USE, `Tickets hold the choice ${used[0].valueText}; set them to another choice first`));
        }
      }
      Object.assign(field, { type, choices: choices ?? [], ...(title !== undefined ? { title } : {}), ...(input.active != null ? { active: input.active } : {}), ...(input.position != null ? { position: input.position } : {}) });
      await em.update(CustomField, { id: field.id }, { type: field.type, choices: field.choices, title: field.title, active: field.active, position: field.position });
      if (categories) {
        await em.delete(CustomFieldCategory, { fieldId: field.id });
        if (categories.length) await em.insert(CustomFieldCategory, categories.map((c) => ({ fieldId: field.id, categoryId: c.id })));
      }
      return ok(field);
    });
    await this.refresh();
    return updated;
  }

  /** Removes a field no ticket holds a value of (one in use is archived instead: IN_USE). Answers the removed field. */
  async delete(ctx: RequestContext, rawKey: string): Promise<Result<CustomField>> {
    const key = rawKey.trim().toLowerCase();
    const deleted = await this.db.transaction(ctx, async (tx): Promise<Result<CustomField>> => {
      const em = this.db.em(tx);
      const field = await em.findOneBy(CustomField, { key });
      if (!field) return refused(refusal(['key'], UserErrorCode.NOT_FOUND, `No custom field ${key}`));
      if (await em.existsBy(TicketFieldValue, { fieldId: field.id })) {
        return refused(refusal(['key'], UserErrorCode.IN_USE, `Tickets hold values of ${key}; archive it (active: false) instead`));
      }
      await em.delete(CustomField, { id: field.id });
      return ok(field);
    });
    await this.refresh();
    return deleted;
  }

  private checkTitle(raw: string, refusals: Refusal[]): string {
    const title = raw.trim();
    if (!title) refusals.push(refusal(['input', 'title'], UserErrorCode.BLANK, 'The title cannot be blank'));
    else if (title.length > 200) refusals.push(refusal(['input', 'title'], UserErrorCode.TOO_LONG, 'The title is longer than 200 characters'));
    return title;
  }

  /** Choices of a choice type: at least one, valid distinct keys; none for other types. */
  private checkChoices(type: CustomFieldType, input: CustomFieldChoiceInput[] | null, required: boolean, refusals: Refusal[]): CustomFieldChoice[] | null {
    const isChoice = type === CustomFieldType.SINGLE_CHOICE || type === CustomFieldType.MULTI_CHOICE;
    const at = ['input', 'choices'];
    if (!isChoice) {
      if (input && input.length) refusals.push(refusal(at, UserErrorCode.INVALID, `Only SINGLE_CHOICE and MULTI_CHOICE fields have choices; this one is ${type.toUpperCase()}`));
      return [];
    }
    if (!input || input.length === 0) {
      if (required) refusals.push(refusal(at, UserErrorCode.BLANK, `A ${type.toUpperCase()} field needs at least one choice`));
      return null;
    }
    if (input.length > CHOICES_MAX) refusals.push(refusal(at, UserErrorCode.INVALID, `At most ${CHOICES_MAX} choices`));
    const out: CustomFieldChoice[] = [];
    for (const c of input) {
      const key = c.key.trim().toLowerCase();
      if (!CHOICE_KEY.test(key)) refusals.push(refusal(at, UserErrorCode.INVALID, `"${key.slice(0, 64)}" is not a valid choice key: lower-case letters, digits, _ and -`));
      else if (out.some((o) => o.key === key)) refusals.push(refusal(at, UserErrorCode.INVALID, `The choice ${key} is given twice`));
      else out.push({ key, title: (c.title ?? '').trim() || key });
    }
    return out;
  }

  private async categories(ctx: RequestContext, keys: string[], refusals: Refusal[]): Promise<Category[]> {
    const wanted = [...new Set(keys.map((k) => k.trim().toLowerCase()))];
    if (wanted.length === 0) return [];
    const found = await this.db.em(ctx).findBy(Category, { key: In(wanted) });
    const missing = wanted.filter((k) => !found.some((c) => c.key === k));
    if (missing.length) refusals.push(refusal(['input', 'requiredInCategories'], UserErrorCode.NOT_FOUND, `No category ${missing.join(', ')}`));
    return found;
  }

  // ---- ticket values ----

  /**
   * Reads the entries of a ticket input into value changes, or refusals naming the field
   * (["input", "customFields", key]): unknown or archived field, a variant that is not the field's,
   * a value the type refuses, an unknown or inactive user.
   */
  async validate(ctx: RequestContext, entries: CustomFieldValueInput[]): Promise<Result<ValueChange[]>> {
    const refusals: Refusal[] = [];
    const changes: ValueChange[] = [];
    const seen = new Set<string>();
    const users = await this.users(ctx, entries);
    for (const e of entries) {
      const key = e.key.trim().toLowerCase();
      const at = ['input', 'customFields', key];
      const field = this.byKey(key);
      if (seen.has(key)) {
        refusals.push(refusal(at, UserErrorCode.INVALID, `${key} is given twice`));
        continue;
      }
      seen.add(key);
      if (!field) {
        refusals.push(refusal(at, UserErrorCode.NOT_FOUND, `No custom field ${key}`));
        continue;
      }
      if (!field.active) {
        refusals.push(refusal(at, UserErrorCode.INVALID, `The custom field ${key} is archived; it cannot be set`));
        continue;
      }
      const variant = VARIANTS[field.type];
      const wrong = VARIANT_NAMES.filter((v) => v !== variant && e[v] != null);
      if (wrong.length) {
        refusals.push(refusal(at, UserErrorCode.INVALID, `${key} is a ${field.type.toUpperCase()} field: give its value as \`${variant}\`, not \`${wrong[0]}\``));
        continue;
      }
      const rows = this.rowsOf(field, e, users, (message, code = UserErrorCode.INVALID) => refusals.push(refusal(at, code, `${key}: ${message}`)));
      if (rows) changes.push({ field, rows });
    }
    return refusals.length ? refused(...refusals) : ok(changes);
  }

  private async users(ctx: RequestContext, entries: CustomFieldValueInput[]): Promise<Map<string, User>> {
    const names = [...new Set(entries.filter((e) => e.user != null).map((e) => e.user!.trim().toLowerCase()))];
    if (names.length === 0) return new Map();
    const found = await this.db.em(ctx).findBy(User, { username: In(names), active: true });
    return new Map(found.map((u) => [u.username, u]));
  }

  private rowsOf(field: CustomFieldDef, e: CustomFieldValueInput, users: Map<string, User>, fail: (message: string, code?: UserErrorCode) => void): ValueRow[] | null {
    const row = (r: Partial<ValueRow>): ValueRow => ({ valueText: null, valueNumber: null, valueDate: null, valueUserId: null, ...r });
    switch (field.type) {
      case CustomFieldType.TEXT: {
        const text = e.text?.trim() ?? '';
        if (text.length > TEXT_MAX) return fail(`the text is longer than ${TEXT_MAX} characters`, UserErrorCode.TOO_LONG), null;
        return text ? [row({ valueText: text })] : [];
      }
      case CustomFieldType.NUMBER:
        if (e.number == null) return [];
        if (!Number.isFinite(e.number)) return fail('not a finite number'), null;
        return [row({ valueNumber: e.number })];
      case CustomFieldType.DATE: {
        if (e.date == null || e.date.trim() === '') return [];
        const d = e.date.trim();
        const m = DAY.exec(d);
        const probe = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
        if (!m || !probe || probe.getUTCMonth() !== Number(m[2]) - 1 || probe.getUTCDate() !== Number(m[3])) return fail(`"${d.slice(0, 40)}" is not a calendar day (YYYY-MM-DD)`), null;
        return [row({ valueDate: d })];
      }
      case CustomFieldType.SINGLE_CHOICE:
      case CustomFieldType.MULTI_CHOICE: {
        const given = field.type === CustomFieldType.SINGLE_CHOICE ? (e.choice == null || e.choice.trim() === '' ? [] : [e.choice]) : (e.choices ?? []);
        const keys = [...new Set(given.map((c) => c.trim().toLowerCase()))];
        const bad = keys.filter((k) => !field.choices.some((c) => c.key === k));
        if (bad.length) return fail(`${bad.map((b) => `"${b.slice(0, 64)}"`).join(', ')} is not a choice; choices are ${field.choices.map((c) => c.key).join(', ')}`), null;
        // Stored in the order of the field's choices, so equal sets compare equal.
        return field.choices.filter((c) => keys.includes(c.key)).map((c) => row({ valueText: c.key }));
      }
      case CustomFieldType.USER: {
        if (e.user == null || e.user.trim() === '') return [];
        const user = users.get(e.user.trim().toLowerCase());
        if (!user) return fail(`no active user ${e.user.trim().slice(0, 64)}`, UserErrorCode.NOT_FOUND), null;
        return [row({ valueUserId: user.id, username: user.username })];
      }
    }
  }

  /** A ticket's stored value rows by field id (USER rows with their username). */
  async load(ctx: InTransaction, ticketId: number): Promise<Map<number, ValueRow[]>> {
    const rows = await this.db.em(ctx).createQueryBuilder(TicketFieldValue, 'v').leftJoinAndSelect('v.valueUser', 'u').where('v.ticketId = :ticketId', { ticketId }).orderBy('v.id', 'ASC').getMany();
    return groupRows(rows);
  }

  /**
   * Refusals for fields required in the category that have no value. `only`: check just these
   * fields (an update that keeps the category checks only the fields it sets).
   */
  missingRequired(categoryId: number | null, values: Map<number, ValueRow[]>, only: Set<number> | null): Refusal[] {
    if (categoryId === null) return [];
    return this.all()
      .filter((d) => d.active && d.requiredIn.includes(categoryId) && (only === null || only.has(d.id)) && !(values.get(d.id)?.length))
      .map((d) => refusal(['input', 'customFields', d.key], UserErrorCode.BLANK, `${d.key} (${d.title}) is required in this ticket's category`));
  }

  /** The rows a new ticket gets, after checking the category's required fields. */
  checkNew(categoryId: number | null, changes: ValueChange[]): Refusal[] {
    return this.missingRequired(categoryId, new Map(changes.map((c) => [c.field.id, c.rows])), null);
  }

  /**
   * What an update does to the custom fields of a ticket (in its transaction): reads the stored
   * values only when something is set or the ticket moves into a category that requires fields.
   */
  async plan(ctx: RequestContext, ticketId: number, fromCategoryId: number | null, toCategoryId: number | null, changes: ValueChange[]): Promise<ValuePlan> {
    const moved = toCategoryId !== fromCategoryId && toCategoryId !== null && this.all().some((d) => d.active && d.requiredIn.includes(toCategoryId));
    if (changes.length === 0 && !moved) return { diffs: [], refusals: [], changes: [] };
    const before = await this.load(ctx, ticketId);
    const after = new Map(before);
    for (const c of changes) after.set(c.field.id, c.rows);
    const refusals = this.missingRequired(toCategoryId, after, moved ? null : new Set(changes.map((c) => c.field.id)));
    const diffs: FieldChange[] = [];
    const real: ValueChange[] = [];
    for (const c of changes) {
      const oldValue = snapshotOf(c.field, before.get(c.field.id) ?? []);
      const newValue = snapshotOf(c.field, c.rows);
      if (JSON.stringify(oldValue) === JSON.stringify(newValue)) continue;
      diffs.push({ field: TrackedField.CUSTOM_FIELD, customFieldKey: c.field.key, oldValue, newValue });
      real.push(c);
    }
    return { diffs, refusals, changes: real };
  }

  /** Replaces the values of the changed fields (in the write's transaction). */
  async write(ctx: RequestContext, ticketId: number, changes: ValueChange[]): Promise<void> {
    if (changes.length === 0) return;
    const em = this.db.em(ctx);
    await em.delete(TicketFieldValue, { ticketId, fieldId: In(changes.map((c) => c.field.id)) });
    const rows = changes.flatMap((c) => c.rows.map((r) => ({ ticketId, fieldId: c.field.id, valueText: r.valueText, valueNumber: r.valueNumber, valueDate: r.valueDate, valueUserId: r.valueUserId })));
    if (rows.length) await em.insert(TicketFieldValue, rows);
  }

  /** A ticket's values for GraphQL, in field order (fields without a value left out). */
  async valuesOf(ctx: RequestContext, ticketId: number): Promise<CustomFieldValue[]> {
    const grouped = groupRows(await ctx.loaders.ticketFieldValues.load(ticketId));
    const fields = new Map(this.all().map((d) => [d.id, entityOf(d)]));
    return this.all()
      .filter((d) => grouped.get(d.id)?.length)
      .map((d) => toValue(d, fields.get(d.id)!, grouped.get(d.id)!));
  }

  /** Display strings of a ticket's values (mail, webhooks), by key in field order. */
  async displayOf(ctx: InTransaction, ticketId: number): Promise<{ key: string; title: string; value: SnapshotValue; display: string }[]> {
    const grouped = await this.load(ctx, ticketId);
    return this.all()
      .filter((d) => grouped.get(d.id)?.length)
      .map((d) => ({ key: d.key, title: d.title, value: snapshotOf(d, grouped.get(d.id)!), display: displayOf(d, grouped.get(d.id)!) }));
  }

  /** A history value for people: choice titles for choice keys (the field as it is now); null for no value. */
  displaySnapshot(key: string, value: SnapshotValue): string | null {
    if (value === null || (Array.isArray(value) && value.length === 0)) return null;
    const field = this.byKey(key);
    const title = (k: string) => field?.choices.find((c) => c.key === k)?.title ?? k;
    return Array.isArray(value) ? value.map(title).join(', ') : title(value);
  }

  /** Active fields as entities, from the catalog (no statement): ticketMetadata. */
  activeFields(): CustomField[] {
    return this.all().filter((d) => d.active).map(entityOf);
  }

}

function groupRows(rows: TicketFieldValue[]): Map<number, ValueRow[]> {
  const out = new Map<number, ValueRow[]>();
  for (const r of rows) {
    const list = out.get(r.fieldId) ?? [];
    list.push({ valueText: r.valueText, valueNumber: r.valueNumber, valueDate: r.valueDate, valueUserId: r.valueUserId, username: r.valueUser?.username ?? null });
    out.set(r.fieldId, list);
  }
  return out;
}

/** The value as history records it: text, number as text, day, choice key(s), username. */
export function snapshotOf(field: CustomFieldDef, rows: ValueRow[]): SnapshotValue {
  if (rows.length === 0) return null;
  const r = rows[0];
  switch (field.type) {
    case CustomFieldType.NUMBER:
      return String(r.valueNumber);
    case CustomFieldType.DATE:
      return r.valueDate;
    case CustomFieldType.USER:
      return r.username ?? String(r.valueUserId);
    case CustomFieldType.MULTI_CHOICE:
      return field.choices.filter((c) => rows.some((x) => x.valueText === c.key)).map((c) => c.key);
    default:
      return r.valueText;
  }
}

/** The value for people: choice titles instead of keys. */
export function displayOf(field: CustomFieldDef, rows: ValueRow[]): string {
  const title = (k: string | null) => field.choices.find((c) => c.key === k)?.title ?? k ?? '';
  if (field.type === CustomFieldType.SINGLE_CHOICE || field.type === CustomFieldType.MULTI_CHOICE) {
    return field.choices.filter((c) => rows.some((x) => x.valueText === c.key)).map((c) => title(c.key)).join(', ');
  }
  const v = snapshotOf(field, rows);
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

function toValue(d: CustomFieldDef, field: CustomField, rows: ValueRow[]): CustomFieldValue {
  const choice = (k: string | null) => d.choices.find((c) => c.key === k) ?? { key: k ?? '', title: k ?? '' };
  const col = valueColumn(d.type);
  const r = rows[0];
  return Object.assign(new CustomFieldValue(), {
    key: d.key,
    title: d.title,
    type: d.type,
    field,
    text: d.type === CustomFieldType.TEXT ? r.valueText : null,
    number: col === 'valueNumber' ? r.valueNumber : null,
    date: col === 'valueDate' ? r.valueDate : null,
    choice: d.type === CustomFieldType.SINGLE_CHOICE ? choice(r.valueText) : null,
    choices: d.type === CustomFieldType.MULTI_CHOICE ? d.choices.filter((c) => rows.some((x) => x.valueText === c.key)) : null,
    userId: d.type === CustomFieldType.USER ? r.valueUserId : null,
    display: displayOf(d, rows),
  });
}


function entityOf(d: CustomFieldDef): CustomField {
  const { requiredIn: _requiredIn, ...rest } = d;
  return Object.assign(new CustomField(), rest);
}
