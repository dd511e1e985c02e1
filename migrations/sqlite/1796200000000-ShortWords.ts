import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Short words become searchable: the full-text document in ticket_search is rewritten with every
 * word shorter than 3 letters (and every word starting with the mark itself) prefixed by "sw0",
 * as SearchIndex now writes it (src/search/full-text.ts, indexText), so the index holds "db" as
 * the whole word "sw0db". The encoding is copied here, not imported, so this migration keeps
 * doing what it did when the application code changes. Down strips the mark again.
 */
const MARK = 'sw0';
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
const encode = (text: string) => text.replace(WORD, (w) => (fold(w).length < 3 || fold(w).startsWith(MARK) ? MARK + w : w));
const decode = (text: string) => text.replace(WORD, (w) => (fold(w).startsWith(MARK) ? w.slice(MARK.length) : w));
const BATCH = 500;

export class ShortWords1796200000000 implements MigrationInterface {
  name = 'ShortWords1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await rewrite(queryRunner, table, encode);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await rewrite(queryRunner, table, decode);
  }
}

/** Both documents: every comment, and public comments only (RequesterSide made the second). */
const TABLES = ['ticket_search', 'ticket_search_public'];

async function rewrite(queryRunner: QueryRunner, table: string, convert: (text: string) => string): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = (await queryRunner.query(`SELECT rowid AS id, subject, body, comments FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${BATCH}`, [after])) as {
      id: number | string;
      subject: string | null;
      body: string | null;
      comments: string | null;
    }[];
    if (rows.length === 0) return;
    for (const r of rows) {
      await queryRunner.query(`UPDATE ${table} SET subject = ?, body = ?, comments = ? WHERE rowid = ?`, [convert(r.subject ?? ''), convert(r.body ?? ''), convert(r.comments ?? ''), r.id]);
    }
    after = Number(rows[rows.length - 1].id);
  }
}
