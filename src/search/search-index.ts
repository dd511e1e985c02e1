import type { Database, InTransaction } from '../db/database';
import { TicketChange } from '../entities/ticket-change.entity';
import type { Ticket } from '../entities/ticket.entity';
import { ChangeType } from '../entities/ticket.enums';
import { indexText } from './full-text';
import { CommentVisibility } from '../entities/comment-visibility.enum';

/** ticket_search holds every comment; ticket_search_public only the public ones (same columns and indexes). */
const TABLES = ['ticket_search', 'ticket_search_public'] as const;

/** The full-text table a caller searches: without internal notes for callers who do not read them. */
export function searchTable(publicOnly: boolean): 'ticket_search' | 'ticket_search_public' {
  return publicOnly ? 'ticket_search_public' : 'ticket_search';
}

/**
 * The full-text document of each ticket: subject, body and the text of its live comments, in the
 * ticket_search table (an FTS5 virtual table on SQLite, an InnoDB table with FULLTEXT indexes on
 * MySQL; see the migrations). One row per ticket lets "all these words" match across subject,
 * body and comments together. Writers update it inside the transaction that changed the text,
 * so the index never disagrees with committed data. The text is stored through indexText, which
 * marks words shorter than the engines' minimum so that they are indexed too (see full-text.ts).
 */
export class SearchIndex {
  constructor(private readonly db: Database) {}

  /** The FTS5 table keys documents by rowid; the InnoDB table has a ticket_id column. */
  private get idColumn(): string {
    return this.db.dialect === 'sqlite' ? 'rowid' : 'ticket_id';
  }

  /** A new ticket: no comments yet, so nothing to read back. */
  async add(ctx: InTransaction, ticket: Pick<Ticket, 'id' | 'subject' | 'body'>): Promise<void> {
    for (const table of TABLES) await this.db.em(ctx).query(`INSERT INTO ${table} (${this.idColumn}, subject, body, comments) VALUES (?, ?, ?, '')`, [ticket.id, indexText(ticket.subject), indexText(ticket.body)]);
  }

  /** Subject or body edited: the comment text stays as it is. */
  async updateText(ctx: InTransaction, ticket: Pick<Ticket, 'id' | 'subject' | 'body'>): Promise<void> {
    for (const table of TABLES) await this.db.em(ctx).query(`UPDATE ${table} SET subject = ?, body = ? WHERE ${this.idColumn} = ?`, [indexText(ticket.subject), indexText(ticket.body), ticket.id]);
  }

  /** Rewrites the comment text from the live comments (after a comment is edited, deleted or made public or internal). */
  async refreshComments(ctx: InTransaction, ticketId: number): Promise<void> {
    const comments = await this.db.em(ctx).find(TicketChange, {
      where: { ticketId, type: ChangeType.COMMENT },
      select: { id: true, body: true, visibility: true },
      order: { id: 'ASC' },
    });
    const text = (list: TicketChange[]) => indexText(list.map((c) => c.body ?? '').join('\n'));
    await this.db.em(ctx).query(`UPDATE ticket_search SET comments = ? WHERE ${this.idColumn} = ?`, [text(comments), ticketId]);
    await this.db.em(ctx).query(`UPDATE ticket_search_public SET comments = ? WHERE ${this.idColumn} = ?`, [text(comments.filter((c) => c.visibility === CommentVisibility.PUBLIC)), ticketId]);
  }

  /** A new comment: one statement per document instead of re-reading the ticket's comments; internal notes stay out of the public one. */
  async appendComment(ctx: InTransaction, ticketId: number, body: string, visibility: CommentVisibility = CommentVisibility.PUBLIC): Promise<void> {
    for (const table of visibility === CommentVisibility.PUBLIC ? TABLES : (['ticket_search'] as const)) {
      const sql =
        this.db.dialect === 'sqlite'
          ? `UPDATE ${table} SET comments = comments || char(10) || ? WHERE rowid = ?`
          : `UPDATE ${table} SET comments = CONCAT(comments, '\\n', ?) WHERE ticket_id = ?`;
      await this.db.em(ctx).query(sql, [indexText(body), ticketId]);
    }
  }

  /**
   * The documents of some tickets (one statement) as indexed (short words marked), for matching full-text filters in memory
   * (TicketFilterMatcher); publicOnly: with public comments only (callers who do not read internal notes).
   */
  async documents(ticketIds: number[], opts: { publicOnly?: boolean } = {}): Promise<Map<number, { subject: string; body: string; comments: string }>> {
    const docs = new Map<number, { subject: string; body: string; comments: string }>();
    if (ticketIds.length === 0) return docs;
    const rows = (await this.db.manager.query(
      `SELECT ${this.idColumn} AS id, subject, body, comments FROM ${searchTable(opts.publicOnly ?? false)} WHERE ${this.idColumn} IN (${ticketIds.map(() => '?').join(', ')})`,
      ticketIds,
    )) as { id: number | string; subject: string | null; body: string | null; comments: string | null }[];
    for (const r of rows) docs.set(Number(r.id), { subject: r.subject ?? '', body: r.body ?? '', comments: r.comments ?? '' });
    return docs;
  }

  /** SQLite only needs this (MySQL cascades from ticket); harmless on both. */
  async remove(ctx: InTransaction, ticketId: number): Promise<void> {
    for (const table of TABLES) await this.db.em(ctx).query(`DELETE FROM ${table} WHERE ${this.idColumn} = ?`, [ticketId]);
  }
}
