import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The requester's side of a ticket: comment visibility (existing comments were readable by
 * everyone, so they stay public), requester-facing webhooks, files that came with a reply, ticket
 * forwards, and ticket_search_public: the full-text document of each ticket with its public
 * comments only, searched for callers who do not read internal notes (same tokenizer as ticket_search).
 */
export class RequesterSide1795800000000 implements MigrationInterface {
  name = 'RequesterSide1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ticket_forward" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "change_id" integer, "author_id" integer, "to" text NOT NULL, "cc" text NOT NULL, "message" text, "file_ids" text NOT NULL, "created_at" datetime(3) NOT NULL)`);
    await queryRunner.query(`DROP INDEX "IDX_cd938f721c2a5d1b7f4593efd9"`);
    await queryRunner.query(`DROP INDEX "IDX_b647b80de42fa4b9d4ad72ed09"`);
    await queryRunner.query(`DROP INDEX "IDX_6c479caa471106eebb52143738"`);
    await queryRunner.query(`CREATE TABLE "temporary_ticket_change" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "type" varchar(24) NOT NULL, "field" varchar(24), "old_value" text, "new_value" text, "body" text, "author_id" integer, "created_at" datetime(3) NOT NULL, "edited_at" datetime(3), "edited_by_id" integer, "job_id" integer, "visibility" varchar(16) NOT NULL DEFAULT ('public'), CONSTRAINT "FK_3388582bc3a781f04fb932e03dd" FOREIGN KEY ("edited_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_6c479caa471106eebb521437385" FOREIGN KEY ("author_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_f742d02a553d21da610aac23507" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_ticket_change"("id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id") SELECT "id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id" FROM "ticket_change"`);
    await queryRunner.query(`DROP TABLE "ticket_change"`);
    await queryRunner.query(`ALTER TABLE "temporary_ticket_change" RENAME TO "ticket_change"`);
    await queryRunner.query(`CREATE INDEX "IDX_cd938f721c2a5d1b7f4593efd9" ON "ticket_change" ("ticket_id", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_b647b80de42fa4b9d4ad72ed09" ON "ticket_change" ("ticket_id", "type", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_6c479caa471106eebb52143738" ON "ticket_change" ("author_id") `);
    await queryRunner.query(`DROP INDEX "IDX_642d48d5bc8b2b6d78ca11552b"`);
    await queryRunner.query(`DROP INDEX "IDX_decfce30b48a4543866b5558b7"`);
    await queryRunner.query(`CREATE TABLE "temporary_ticket_file" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "storage_key" varchar(200) NOT NULL, "filename" varchar(255) NOT NULL, "size" bigint NOT NULL, "content_type" varchar(200) NOT NULL, "sha256" varchar(64) NOT NULL, "uploaded_by_id" integer, "created_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, "change_id" integer, CONSTRAINT "UQ_f1e3974586e3933a1592fe4c154" UNIQUE ("storage_key"), CONSTRAINT "FK_c4c49fad967af5418b0b38bc49d" FOREIGN KEY ("uploaded_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_6569efed906ddfebf3b06918744" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_ticket_file"("id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at") SELECT "id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at" FROM "ticket_file"`);
    await queryRunner.query(`DROP TABLE "ticket_file"`);
    await queryRunner.query(`ALTER TABLE "temporary_ticket_file" RENAME TO "ticket_file"`);
    await queryRunner.query(`CREATE INDEX "IDX_642d48d5bc8b2b6d78ca11552b" ON "ticket_file" ("ticket_id", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_decfce30b48a4543866b5558b7" ON "ticket_file" ("expires_at") `);
    await queryRunner.query(`CREATE TABLE "temporary_webhook" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "url" varchar(2000) NOT NULL, "secret" varchar(128) NOT NULL, "events" text NOT NULL, "query" text, "active" boolean NOT NULL DEFAULT (1), "created_at" datetime(3) NOT NULL, "requester_facing" boolean NOT NULL DEFAULT (0))`);
    await queryRunner.query(`INSERT INTO "temporary_webhook"("id", "url", "secret", "events", "query", "active", "created_at") SELECT "id", "url", "secret", "events", "query", "active", "created_at" FROM "webhook"`);
    await queryRunner.query(`DROP TABLE "webhook"`);
    await queryRunner.query(`ALTER TABLE "temporary_webhook" RENAME TO "webhook"`);
    await queryRunner.query(`DROP INDEX "IDX_642d48d5bc8b2b6d78ca11552b"`);
    await queryRunner.query(`DROP INDEX "IDX_decfce30b48a4543866b5558b7"`);
    await queryRunner.query(`CREATE TABLE "temporary_ticket_file" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "storage_key" varchar(200) NOT NULL, "filename" varchar(255) NOT NULL, "size" bigint NOT NULL, "content_type" varchar(200) NOT NULL, "sha256" varchar(64) NOT NULL, "uploaded_by_id" integer, "created_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, "change_id" integer, CONSTRAINT "UQ_f1e3974586e3933a1592fe4c154" UNIQUE ("storage_key"), CONSTRAINT "FK_c4c49fad967af5418b0b38bc49d" FOREIGN KEY ("uploaded_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_6569efed906ddfebf3b06918744" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_0ce72d03afda98d32a58f5194d8" FOREIGN KEY ("change_id") REFERENCES "ticket_change" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_ticket_file"("id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at", "change_id") SELECT "id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at", "change_id" FROM "ticket_file"`);
    await queryRunner.query(`DROP TABLE "ticket_file"`);
    await queryRunner.query(`ALTER TABLE "temporary_ticket_file" RENAME TO "ticket_file"`);
    await queryRunner.query(`CREATE INDEX "IDX_642d48d5bc8b2b6d78ca11552b" ON "ticket_file" ("ticket_id", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_decfce30b48a4543866b5558b7" ON "ticket_file" ("expires_at") `);
    await queryRunner.query(`CREATE TABLE "temporary_ticket_forward" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "change_id" integer, "author_id" integer, "to" text NOT NULL, "cc" text NOT NULL, "message" text, "file_ids" text NOT NULL, "created_at" datetime(3) NOT NULL, CONSTRAINT "FK_154be65abed7120c4ca294ccc7b" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_ticket_forward"("id", "ticket_id", "change_id", "author_id", "to", "cc", "message", "file_ids", "created_at") SELECT "id", "ticket_id", "change_id", "author_id", "to", "cc", "message", "file_ids", "created_at" FROM "ticket_forward"`);
    await queryRunner.query(`DROP TABLE "ticket_forward"`);
    await queryRunner.query(`ALTER TABLE "temporary_ticket_forward" RENAME TO "ticket_forward"`);
    await queryRunner.query(`CREATE VIRTUAL TABLE "ticket_search_public" USING fts5(subject, body, comments, tokenize = "unicode61 remove_diacritics 2 tokenchars '_'")`);
    await queryRunner.query(`INSERT INTO "ticket_search_public" (rowid, subject, body, comments) SELECT rowid, subject, body, comments FROM "ticket_search"`);
    // The column default only filled existing rows (their comments were readable by everyone: public); writers always set it.
    await queryRunner.query(`DROP INDEX "IDX_6c479caa471106eebb52143738"`);
    await queryRunner.query(`DROP INDEX "IDX_b647b80de42fa4b9d4ad72ed09"`);
    await queryRunner.query(`DROP INDEX "IDX_cd938f721c2a5d1b7f4593efd9"`);
    await queryRunner.query(`CREATE TABLE "temporary_ticket_change" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "type" varchar(24) NOT NULL, "field" varchar(24), "old_value" text, "new_value" text, "body" text, "author_id" integer, "created_at" datetime(3) NOT NULL, "edited_at" datetime(3), "edited_by_id" integer, "job_id" integer, "visibility" varchar(16) NOT NULL, CONSTRAINT "FK_f742d02a553d21da610aac23507" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_6c479caa471106eebb521437385" FOREIGN KEY ("author_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_3388582bc3a781f04fb932e03dd" FOREIGN KEY ("edited_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "temporary_ticket_change"("id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id", "visibility") SELECT "id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id", "visibility" FROM "ticket_change"`);
    await queryRunner.query(`DROP TABLE "ticket_change"`);
    await queryRunner.query(`ALTER TABLE "temporary_ticket_change" RENAME TO "ticket_change"`);
    await queryRunner.query(`CREATE INDEX "IDX_6c479caa471106eebb52143738" ON "ticket_change" ("author_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_b647b80de42fa4b9d4ad72ed09" ON "ticket_change" ("ticket_id", "type", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_cd938f721c2a5d1b7f4593efd9" ON "ticket_change" ("ticket_id", "id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Table rebuilds below rename tables others refer to: without the legacy rename, SQLite would
    // rewrite those references to the temporary names and then find them missing.
    await queryRunner.query('PRAGMA legacy_alter_table = ON');
    try {
    await queryRunner.query(`DROP INDEX "IDX_cd938f721c2a5d1b7f4593efd9"`);
    await queryRunner.query(`DROP INDEX "IDX_b647b80de42fa4b9d4ad72ed09"`);
    await queryRunner.query(`DROP INDEX "IDX_6c479caa471106eebb52143738"`);
    await queryRunner.query(`ALTER TABLE "ticket_change" RENAME TO "temporary_ticket_change"`);
    await queryRunner.query(`CREATE TABLE "ticket_change" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "type" varchar(24) NOT NULL, "field" varchar(24), "old_value" text, "new_value" text, "body" text, "author_id" integer, "created_at" datetime(3) NOT NULL, "edited_at" datetime(3), "edited_by_id" integer, "job_id" integer, "visibility" varchar(16) NOT NULL DEFAULT ('public'), CONSTRAINT "FK_f742d02a553d21da610aac23507" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_6c479caa471106eebb521437385" FOREIGN KEY ("author_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_3388582bc3a781f04fb932e03dd" FOREIGN KEY ("edited_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "ticket_change"("id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id", "visibility") SELECT "id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id", "visibility" FROM "temporary_ticket_change"`);
    await queryRunner.query(`DROP TABLE "temporary_ticket_change"`);
    await queryRunner.query(`CREATE INDEX "IDX_cd938f721c2a5d1b7f4593efd9" ON "ticket_change" ("ticket_id", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_b647b80de42fa4b9d4ad72ed09" ON "ticket_change" ("ticket_id", "type", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_6c479caa471106eebb52143738" ON "ticket_change" ("author_id") `);
    await queryRunner.query(`DROP TABLE "ticket_search_public"`);
    await queryRunner.query(`ALTER TABLE "ticket_forward" RENAME TO "temporary_ticket_forward"`);
    await queryRunner.query(`CREATE TABLE "ticket_forward" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "change_id" integer, "author_id" integer, "to" text NOT NULL, "cc" text NOT NULL, "message" text, "file_ids" text NOT NULL, "created_at" datetime(3) NOT NULL)`);
    await queryRunner.query(`INSERT INTO "ticket_forward"("id", "ticket_id", "change_id", "author_id", "to", "cc", "message", "file_ids", "created_at") SELECT "id", "ticket_id", "change_id", "author_id", "to", "cc", "message", "file_ids", "created_at" FROM "temporary_ticket_forward"`);
    await queryRunner.query(`DROP TABLE "temporary_ticket_forward"`);
    await queryRunner.query(`DROP INDEX "IDX_decfce30b48a4543866b5558b7"`);
    await queryRunner.query(`DROP INDEX "IDX_642d48d5bc8b2b6d78ca11552b"`);
    await queryRunner.query(`ALTER TABLE "ticket_file" RENAME TO "temporary_ticket_file"`);
    await queryRunner.query(`CREATE TABLE "ticket_file" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "storage_key" varchar(200) NOT NULL, "filename" varchar(255) NOT NULL, "size" bigint NOT NULL, "content_type" varchar(200) NOT NULL, "sha256" varchar(64) NOT NULL, "uploaded_by_id" integer, "created_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, "change_id" integer, CONSTRAINT "UQ_f1e3974586e3933a1592fe4c154" UNIQUE ("storage_key"), CONSTRAINT "FK_c4c49fad967af5418b0b38bc49d" FOREIGN KEY ("uploaded_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_6569efed906ddfebf3b06918744" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "ticket_file"("id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at", "change_id") SELECT "id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at", "change_id" FROM "temporary_ticket_file"`);
    await queryRunner.query(`DROP TABLE "temporary_ticket_file"`);
    await queryRunner.query(`CREATE INDEX "IDX_decfce30b48a4543866b5558b7" ON "ticket_file" ("expires_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_642d48d5bc8b2b6d78ca11552b" ON "ticket_file" ("ticket_id", "id") `);
    await queryRunner.query(`ALTER TABLE "webhook" RENAME TO "temporary_webhook"`);
    await queryRunner.query(`CREATE TABLE "webhook" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "url" varchar(2000) NOT NULL, "secret" varchar(128) NOT NULL, "events" text NOT NULL, "query" text, "active" boolean NOT NULL DEFAULT (1), "created_at" datetime(3) NOT NULL)`);
    await queryRunner.query(`INSERT INTO "webhook"("id", "url", "secret", "events", "query", "active", "created_at") SELECT "id", "url", "secret", "events", "query", "active", "created_at" FROM "temporary_webhook"`);
    await queryRunner.query(`DROP TABLE "temporary_webhook"`);
    await queryRunner.query(`DROP INDEX "IDX_decfce30b48a4543866b5558b7"`);
    await queryRunner.query(`DROP INDEX "IDX_642d48d5bc8b2b6d78ca11552b"`);
    await queryRunner.query(`ALTER TABLE "ticket_file" RENAME TO "temporary_ticket_file"`);
    await queryRunner.query(`CREATE TABLE "ticket_file" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "storage_key" varchar(200) NOT NULL, "filename" varchar(255) NOT NULL, "size" bigint NOT NULL, "content_type" varchar(200) NOT NULL, "sha256" varchar(64) NOT NULL, "uploaded_by_id" integer, "created_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, CONSTRAINT "UQ_f1e3974586e3933a1592fe4c154" UNIQUE ("storage_key"), CONSTRAINT "FK_c4c49fad967af5418b0b38bc49d" FOREIGN KEY ("uploaded_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_6569efed906ddfebf3b06918744" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "ticket_file"("id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at") SELECT "id", "ticket_id", "storage_key", "filename", "size", "content_type", "sha256", "uploaded_by_id", "created_at", "expires_at" FROM "temporary_ticket_file"`);
    await queryRunner.query(`DROP TABLE "temporary_ticket_file"`);
    await queryRunner.query(`CREATE INDEX "IDX_decfce30b48a4543866b5558b7" ON "ticket_file" ("expires_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_642d48d5bc8b2b6d78ca11552b" ON "ticket_file" ("ticket_id", "id") `);
    await queryRunner.query(`DROP INDEX "IDX_6c479caa471106eebb52143738"`);
    await queryRunner.query(`DROP INDEX "IDX_b647b80de42fa4b9d4ad72ed09"`);
    await queryRunner.query(`DROP INDEX "IDX_cd938f721c2a5d1b7f4593efd9"`);
    await queryRunner.query(`ALTER TABLE "ticket_change" RENAME TO "temporary_ticket_change"`);
    await queryRunner.query(`CREATE TABLE "ticket_change" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "type" varchar(24) NOT NULL, "field" varchar(24), "old_value" text, "new_value" text, "body" text, "author_id" integer, "created_at" datetime(3) NOT NULL, "edited_at" datetime(3), "edited_by_id" integer, "job_id" integer, CONSTRAINT "FK_3388582bc3a781f04fb932e03dd" FOREIGN KEY ("edited_by_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_6c479caa471106eebb521437385" FOREIGN KEY ("author_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_f742d02a553d21da610aac23507" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`INSERT INTO "ticket_change"("id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id") SELECT "id", "ticket_id", "type", "field", "old_value", "new_value", "body", "author_id", "created_at", "edited_at", "edited_by_id", "job_id" FROM "temporary_ticket_change"`);
    await queryRunner.query(`DROP TABLE "temporary_ticket_change"`);
    await queryRunner.query(`CREATE INDEX "IDX_6c479caa471106eebb52143738" ON "ticket_change" ("author_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_b647b80de42fa4b9d4ad72ed09" ON "ticket_change" ("ticket_id", "type", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_cd938f721c2a5d1b7f4593efd9" ON "ticket_change" ("ticket_id", "id") `);
    await queryRunner.query(`DROP TABLE "ticket_forward"`);
    } finally {
      await queryRunner.query('PRAGMA legacy_alter_table = OFF');
    }
  }
}
