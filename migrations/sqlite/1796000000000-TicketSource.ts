import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ticket source and external id (unique per source), and requester-only users. Columns are added
 * in place (no table rebuild). Existing tickets: a job or alert origin gives JOB or ALERT; the rest
 * stay MANUAL, since which credential created them was never recorded.
 */
export class TicketSource1796000000000 implements MigrationInterface {
  name = 'TicketSource1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "source" varchar(16) NOT NULL DEFAULT ('manual')`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "external_id" varchar(100)`);
    await queryRunner.query(`UPDATE "ticket" SET "source" = CASE "origin_kind" WHEN 'alert' THEN 'alert' ELSE 'job' END WHERE "origin_kind" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_ticket_source_external_id" ON "ticket" ("source", "external_id") `);
    await queryRunner.query(`ALTER TABLE "app_user" ADD COLUMN "requester_only" boolean NOT NULL DEFAULT (0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "requester_only"`);
    await queryRunner.query(`DROP INDEX "UQ_ticket_source_external_id"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "external_id"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "source"`);
  }
}
