import type { EntityManager } from 'typeorm';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import { ChangeType } from '../entities/ticket.enums';

/**
 * The full-text document of each ticket: subject, body and the text of its live comments, in the
 * ticket_search table (an FTS5 virtual table on SQLite, an InnoDB table with FULLTEXT indexes on
 * MySQL; see the migrations). One row per ticket lets "all these words" match across subject,
 * body and comments together. Writers call refresh() inside the transaction that changed the
 * text, so the index never disagrees with committed data.
 */
export class SearchIndex {
  constructor(private readonly dialect: 'sqlite' | 'mysql') {}

  async refresh(em: EntityManager, ticketId: number): Promise<void> {
    const ticket = await em.findOne(Ticket, { where: { id: ticketId }, select: { id: true, subject: true, body: true } });
    if (!ticket) return;
    const comments = await em.find(TicketChange, {
      where: { ticketId, type: ChangeType.COMMENT },
      select: { id: true, body: true },
      order: { id: 'ASC' },
    });
    const text = comments.map((c) => c.body ?? '').join('\n');
    if (this.dialect === 'sqlite') {
      // FTS5 tables have no upsert; delete and insert run in the caller's transaction.
      await em.query('DELETE FROM ticket_search WHERE rowid = ?', [ticketId]);
      await em.query('INSERT INTO ticket_search (rowid, subject, body, comments) VALUES (?, ?, ?, ?)', [ticketId, ticket.subject, ticket.body, text]);
    } else {
      await em.query(
        'INSERT INTO ticket_search (ticket_id, subject, body, comments) VALUES (?, ?, ?, ?) ' +
          'ON DUPLICATE KEY UPDATE subject = VALUES(subject), body = VALUES(body), comments = VALUES(comments)',
        [ticketId, ticket.subject, ticket.body, text],
      );
    }
  }

  /** A new comment: one statement instead of re-reading the ticket's comments. */
  async appendComment(em: EntityManager, ticketId: number, body: string): Promise<void> {
    const sql =
      this.dialect === 'sqlite'
        ? "UPDATE ticket_search SET comments = comments || char(10) || ? WHERE rowid = ?"
        : "UPDATE ticket_search SET comments = CONCAT(comments, '\\n', ?) WHERE ticket_id = ?";
    await em.query(sql, [body, ticketId]);
  }

  /** SQLite only needs this (MySQL cascades from ticket); harmless on both. */
  async remove(em: EntityManager, ticketId: number): Promise<void> {
    await em.query(`DELETE FROM ticket_search WHERE ${this.dialect === 'sqlite' ? 'rowid' : 'ticket_id'} = ?`, [ticketId]);
  }
}
