import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SLA policies and each ticket's SLA targets. Existing due dates were set by hand. */
export class Sla1795427269757 implements MigrationInterface {
  name = 'Sla1795427269757';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "sla_policy" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, "priority" smallint, "category_id" integer, "response_minutes" integer NOT NULL, "resolution_minutes" integer NOT NULL, "business_hours" text, "created_at" datetime(3) NOT NULL, CONSTRAINT "UQ_67aa98dca26268022b075f2bb79" UNIQUE ("name"), CONSTRAINT "FK_2f6136ff85a845b916bc4ef4f73" FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "IDX_2f6136ff85a845b916bc4ef4f7" ON "sla_policy" ("category_id") `);
    for (const column of ['"sla_policy_id" integer', '"response_due_at" datetime(3)', '"resolution_due_at" datetime(3)', '"first_response_at" datetime(3)', '"due_manual" boolean NOT NULL DEFAULT (0)']) {
      await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN ${column}`);
    }
    await queryRunner.query(`CREATE INDEX "IDX_35b93a29fa657d37af4d788475" ON "ticket" ("resolution_due_at") `);
    await queryRunner.query(`UPDATE "ticket" SET "due_manual" = 1 WHERE "due" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_35b93a29fa657d37af4d788475"`);
    for (const column of ['due_manual', 'first_response_at', 'resolution_due_at', 'response_due_at', 'sla_policy_id']) {
      await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DROP TABLE "sla_policy"`);
  }
}
