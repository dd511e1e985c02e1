import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys narrowed to a subset of their user's privileges and categories; idempotency records for retried mutations. */
export class Security1795431000000 implements MigrationInterface {
  name = 'Security1795431000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_key" ADD COLUMN "privileges" text`);
    await queryRunner.query(`ALTER TABLE "api_key" ADD COLUMN "category_ids" text`);
    await queryRunner.query(`CREATE TABLE "idempotency_key" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "operation" varchar(64) NOT NULL, "client_mutation_id" varchar(100) NOT NULL, "input_hash" varchar(64) NOT NULL, "result" text NOT NULL, "created_at" datetime(3) NOT NULL, CONSTRAINT "FK_idempotency_key_user" FOREIGN KEY ("user_id") REFERENCES "app_user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_idempotency_key_caller" ON "idempotency_key" ("user_id", "operation", "client_mutation_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_idempotency_key_created" ON "idempotency_key" ("created_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "idempotency_key"`);
    await queryRunner.query(`ALTER TABLE "api_key" DROP COLUMN "category_ids"`);
    await queryRunner.query(`ALTER TABLE "api_key" DROP COLUMN "privileges"`);
  }
}
