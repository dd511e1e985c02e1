import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved searches, and ticket_search: the FTS5 full-text document of each ticket (rowid = ticket
 * id). unicode61 folds case and accents and keeps "_" inside words, which is how InnoDB's
 * FULLTEXT parser splits words, so both databases find the same tickets. No stemming, as on MySQL.
 */
export class Search1795423177008 implements MigrationInterface {
  name = 'Search1795423177008';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "saved_search" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "name" varchar(100) NOT NULL, "query" text, "filter" text, "order_by" text NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL, CONSTRAINT "FK_33780d7f908bacc052ce093147b" FOREIGN KEY ("user_id") REFERENCES "app_user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_9f67f91dbc7dab01c5dc9a78f8" ON "saved_search" ("user_id", "name") `);
    await queryRunner.query(`CREATE VIRTUAL TABLE "ticket_search" USING fts5(subject, body, comments, tokenize = "unicode61 remove_diacritics 2 tokenchars '_'")`);
    await queryRunner.query(
      `INSERT INTO "ticket_search" (rowid, subject, body, comments) SELECT t.id, t.subject, t.body, ` +
        `COALESCE((SELECT group_concat(c.body, char(10)) FROM "ticket_change" c WHERE c.ticket_id = t.id AND c.type = 'comment'), '') FROM "ticket" t`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ticket_search"`);
    await queryRunner.query(`DROP INDEX "IDX_9f67f91dbc7dab01c5dc9a78f8"`);
    await queryRunner.query(`DROP TABLE "saved_search"`);
  }
}
