import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Groups of users, and per-category group and auto-assignment. */
export class Groups1795427524652 implements MigrationInterface {
  name = 'Groups1795427524652';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "user_group" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "key" varchar(64) NOT NULL, "title" varchar(200) NOT NULL, "last_assigned_user_id" integer, "created_at" datetime(3) NOT NULL, CONSTRAINT "UQ_7e98524852b29de90a24510ab93" UNIQUE ("key"))`);
    await queryRunner.query(`CREATE TABLE "group_member" ("group_id" integer NOT NULL, "user_id" integer NOT NULL, CONSTRAINT "FK_group_member_group" FOREIGN KEY ("group_id") REFERENCES "user_group" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_group_member_user" FOREIGN KEY ("user_id") REFERENCES "app_user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("group_id", "user_id"))`);
    await queryRunner.query(`ALTER TABLE "category" ADD COLUMN "group_id" integer REFERENCES "user_group" ("id") ON DELETE SET NULL`);
    await queryRunner.query(`ALTER TABLE "category" ADD COLUMN "auto_assign" boolean NOT NULL DEFAULT (0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "category" DROP COLUMN "auto_assign"`);
    await queryRunner.query(`ALTER TABLE "category" DROP COLUMN "group_id"`);
    await queryRunner.query(`DROP TABLE "group_member"`);
    await queryRunner.query(`DROP TABLE "user_group"`);
  }
}
