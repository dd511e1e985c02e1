import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox (mail and other side effects), refused addresses, and the per-user mail switch. */
export class Mail1795424894051 implements MigrationInterface {
  name = 'Mail1795424894051';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "mail_suppression" ("address" varchar(254) PRIMARY KEY NOT NULL, "reason" varchar(500) NOT NULL, "created_at" datetime(3) NOT NULL)`);
    await queryRunner.query(`CREATE TABLE "outbox" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(32) NOT NULL, "ticket_id" integer, "dedupe_key" varchar(100), "from_change_id" integer, "to_change_id" integer, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "available_at" datetime(3) NOT NULL, "claimed_until" datetime(3), "last_error" text, "created_at" datetime(3) NOT NULL, "sent_at" datetime(3), CONSTRAINT "UQ_52c6221ea953d3acd726ca982d6" UNIQUE ("dedupe_key"))`);
    await queryRunner.query(`CREATE INDEX "IDX_9a52a6dc247b1f2312ac9e2871" ON "outbox" ("status", "available_at") `);
    await queryRunner.query(`ALTER TABLE "app_user" ADD COLUMN "mail_enabled" boolean NOT NULL DEFAULT (1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "mail_enabled"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP TABLE "mail_suppression"`);
  }
}
