import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Event definitions, ticket events, jobs and their files; ticket origins; job entries in the history. */
export class Jobs1795500000000 implements MigrationInterface {
  name = 'Jobs1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "event_definition" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "key" varchar(64) NOT NULL, "title" varchar(200) NOT NULL, "runner" varchar(16) NOT NULL, "command" text, "url" varchar(2000), "secret" varchar(128), "timeout_seconds" integer NOT NULL, "targets" text NOT NULL, "algo" varchar(32) NOT NULL, "tags" text NOT NULL, "fields" text NOT NULL, "category_key" varchar(64), "ticket_on_failure" boolean NOT NULL DEFAULT (0), "enabled" boolean NOT NULL DEFAULT (1), "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL, CONSTRAINT "UQ_event_definition_key" UNIQUE ("key"))`);
    await queryRunner.query(`CREATE TABLE "ticket_event" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "event_id" integer NOT NULL, "targets" text, "algo" varchar(32), "tags" text, "params" text NOT NULL, "created_by_id" integer, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL, CONSTRAINT "FK_ticket_event_ticket" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_ticket_event_event" FOREIGN KEY ("event_id") REFERENCES "event_definition" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "IDX_ticket_event_ticket" ON "ticket_event" ("ticket_id", "id") `);
    await queryRunner.query(`CREATE TABLE "job" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "ticket_event_id" integer, "parent_job_id" integer, "event_id" integer NOT NULL, "runner" varchar(16) NOT NULL, "status" varchar(16) NOT NULL, "targets" text NOT NULL, "algo" varchar(32) NOT NULL, "tags" text NOT NULL, "params" text NOT NULL, "code" integer, "description" text, "server" varchar(255), "log" text, "runner_instance" varchar(128), "launched_by_id" integer, "created_at" datetime(3) NOT NULL, "started_at" datetime(3), "completed_at" datetime(3), CONSTRAINT "FK_job_ticket" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_job_ticket_event" FOREIGN KEY ("ticket_event_id") REFERENCES "ticket_event" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_job_parent" FOREIGN KEY ("parent_job_id") REFERENCES "job" ("id") ON DELETE SET NULL ON UPDATE NO ACTION, CONSTRAINT "FK_job_event" FOREIGN KEY ("event_id") REFERENCES "event_definition" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "IDX_job_ticket" ON "job" ("ticket_id", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_job_status_instance" ON "job" ("status", "runner_instance") `);
    await queryRunner.query(`CREATE TABLE "job_file" ("job_id" integer NOT NULL, "file_id" integer NOT NULL, "role" varchar(8) NOT NULL, PRIMARY KEY ("job_id", "file_id", "role"), CONSTRAINT "FK_job_file_job" FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_job_file_file" FOREIGN KEY ("file_id") REFERENCES "ticket_file" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "IDX_job_file_file" ON "job_file" ("file_id") `);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "origin_kind" varchar(16)`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "origin_id" varchar(100)`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "origin_data" text`);
    await queryRunner.query(`CREATE INDEX "IDX_ticket_origin" ON "ticket" ("origin_kind", "origin_id") `);
    await queryRunner.query(`ALTER TABLE "ticket_change" ADD COLUMN "job_id" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_change" DROP COLUMN "job_id"`);
    await queryRunner.query(`DROP INDEX "IDX_ticket_origin"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "origin_data"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "origin_id"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "origin_kind"`);
    await queryRunner.query(`DROP TABLE "job_file"`);
    await queryRunner.query(`DROP TABLE "job"`);
    await queryRunner.query(`DROP TABLE "ticket_event"`);
    await queryRunner.query(`DROP TABLE "event_definition"`);
  }
}
