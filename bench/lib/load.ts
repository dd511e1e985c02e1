import type { EntityManager } from 'typeorm';
import type { Database } from '../../src/db/database';
import { TICKET_SEQUENCE } from '../../src/services/ticket-links';
import { indexText } from '../../src/search/full-text';
import type { ChangeRow, Dataset, TicketRow } from './dataset';

type SqlValue = string | number | null;

/** Tickets per transaction; each transaction also writes those tickets' changes, links and search rows. */
const TICKETS_PER_TRANSACTION = 1000;
/** Rows per multi-row INSERT: well under SQLite's 32,766 bound variables and MySQL's packet size. */
const ROWS_PER_STATEMENT = 500;

/**
 * Writes the dataset with plain multi-row INSERTs, in the columns the migrations define (GraphQL
 * would take far too long for 200,000 changes), then moves the ticket number sequence past the
 * last ticket so a ticketCreate afterwards would get the next number.
 */
export async function loadDataset(db: Database, data: Dataset): Promise<void> {
  const q = (name: string) => (db.dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const insert = async (em: EntityManager, table: string, columns: string[], rows: SqlValue[][]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const batch = rows.slice(i, i + ROWS_PER_STATEMENT);
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      await em.query(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${batch.map(() => tuple).join(', ')}`, batch.flat());
    }
  };

  let change = 0;
  for (let start = 0; start < data.tickets.length; start += TICKETS_PER_TRANSACTION) {
    const tickets = data.tickets.slice(start, start + TICKETS_PER_TRANSACTION);
    const first = tickets[0].id;
    const last = tickets[tickets.length - 1].id;
    const inRange = (row: { ticketId: number }) => row.ticketId >= first && row.ticketId <= last;
    const changes: ChangeRow[] = [];
    while (change < data.changes.length && data.changes[change].ticketId <= last) changes.push(data.changes[change++]);

    await db.transaction({}, async (tx) => {
      const em = db.em(tx);
      await insert(em, 'ticket', TICKET_COLUMNS, tickets.map(ticketValues));
      await insert(em, 'ticket_tag', ['ticket_id', 'tag_id', 'position'], data.ticketTags.filter(inRange).map((r) => [r.ticketId, r.tagId, r.position]));
      await insert(em, 'ticket_user', ['ticket_id', 'role', 'user_id', 'position'], data.ticketUsers.filter(inRange).map((r) => [r.ticketId, r.role, r.userId, r.position]));
      await insert(em, 'ticket_change', CHANGE_COLUMNS, changes.map(changeValues));
      // ticket_search is an FTS5 table keyed by rowid on SQLite, an InnoDB table keyed by ticket_id on MySQL;
      // its text is stored as SearchIndex stores it (short words marked).
      await insert(
        em,
        'ticket_search',
        [db.dialect === 'sqlite' ? 'rowid' : 'ticket_id', 'subject', 'body', 'comments'],
        data.search.filter(inRange).map((s) => [s.ticketId, indexText(s.subject), indexText(s.body), indexText(s.comments)]),
      );
    });
  }
  await db.transaction({}, (tx) =>
    db.em(tx).query(`UPDATE ${q('ticket_sequence')} SET ${q('counter')} = ? WHERE ${q('name')} = ?`, [data.tickets.reduce((max, t) => Math.max(max, t.number), 0), TICKET_SEQUENCE]),
  );
}

/**
 * MySQL: refresh index statistics now instead of waiting for InnoDB's background recalculation
 * (which a table that grew this much triggers anyway). SQLite: nothing, because the application
 * never runs ANALYZE, so production plans come from SQLite's built-in estimates; the benchmark
 * measures what production would see.
 */
export async function refreshStatistics(db: Database): Promise<void> {
  if (db.dialect !== 'mysql') return;
  await db.manager.query('ANALYZE TABLE `ticket`, `ticket_change`, `ticket_tag`, `ticket_user`, `ticket_search`, `tag`, `category`, `app_user`');
}

const TICKET_COLUMNS = [
  'id', 'number', 'subject', 'body', 'type', 'status', 'priority', 'category_id', 'server', 'notify', 'due',
  'creator_id', 'created_at', 'updated_at', 'closed_at', 'deleted_at', 'version',
];

function ticketValues(t: TicketRow): SqlValue[] {
  return [
    t.id, t.number, t.subject, t.body, t.type, t.status, t.priority, t.categoryId, t.server, t.notify, t.due,
    t.creatorId, t.createdAt, t.updatedAt, t.closedAt, t.deletedAt, t.version,
  ];
}

const CHANGE_COLUMNS = ['id', 'ticket_id', 'type', 'field', 'old_value', 'new_value', 'body', 'author_id', 'created_at', 'edited_at', 'edited_by_id', 'visibility'];

function changeValues(c: ChangeRow): SqlValue[] {
  return [c.id, c.ticketId, c.type, c.field, c.oldValue, c.newValue, c.body, c.authorId, c.createdAt, null, null, 'public'];
}
