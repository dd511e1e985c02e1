import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Helpdesk workflow: requester, resolution, lock, last writer, and read state. */
export class Helpdesk1795426763835 implements MigrationInterface {
  name = 'Helpdesk1795426763835';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ticket_read" ("user_id" integer NOT NULL, "ticket_id" integer NOT NULL, "read_version" integer NOT NULL, "read_at" datetime(3) NOT NULL, CONSTRAINT "FK_69e18a5eff43a7043bf7f117e76" FOREIGN KEY ("user_id") REFERENCES "app_user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_e9ed8739d13c9aa6bbafaf1cf8c" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("user_id", "ticket_id"))`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "requester_id" integer REFERENCES "app_user" ("id") ON DELETE SET NULL`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "resolution" text`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "resolved_at" datetime(3)`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "resolved_by_id" integer`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "locked" boolean NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "ticket" ADD COLUMN "last_actor_id" integer`);
    await queryRunner.query(`CREATE INDEX "IDX_2a3cae8fd60482104d7f09a589" ON "ticket" ("requester_id") `);
    await queryRunner.query(`UPDATE "ticket" SET "requester_id" = "creator_id", "last_actor_id" = "creator_id"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_2a3cae8fd60482104d7f09a589"`);
    for (const column of ['last_actor_id', 'locked', 'resolved_by_id', 'resolved_at', 'resolution', 'requester_id']) {
      await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DROP TABLE "ticket_read"`);
  }
}
