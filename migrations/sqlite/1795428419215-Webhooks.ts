import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhooks, their delivery log, and a reference column on outbox rows. */
export class Webhooks1795428419215 implements MigrationInterface {
  name = 'Webhooks1795428419215';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "url" varchar(2000) NOT NULL, "secret" varchar(128) NOT NULL, "events" text NOT NULL, "query" text, "active" boolean NOT NULL DEFAULT (1), "created_at" datetime(3) NOT NULL)`);
    await queryRunner.query(`CREATE TABLE "webhook_delivery" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "webhook_id" integer NOT NULL, "event" varchar(40) NOT NULL, "ticket_id" integer NOT NULL, "from_change_id" integer, "to_change_id" integer, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "response_status" integer, "last_error" text, "created_at" datetime(3) NOT NULL, "delivered_at" datetime(3), CONSTRAINT "FK_ef25cc28dcf88ea3dd81f39af2d" FOREIGN KEY ("webhook_id") REFERENCES "webhook" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "IDX_72f2e35fb2ff43a511f279c5d1" ON "webhook_delivery" ("webhook_id", "id") `);
    await queryRunner.query(`ALTER TABLE "outbox" ADD COLUMN "ref_id" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox" DROP COLUMN "ref_id"`);
    await queryRunner.query(`DROP TABLE "webhook_delivery"`);
    await queryRunner.query(`DROP TABLE "webhook"`);
  }
}
