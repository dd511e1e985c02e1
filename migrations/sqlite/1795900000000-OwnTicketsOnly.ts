import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Own-tickets-only restriction on users and API keys (ADD COLUMN: rebuilding app_user would drop the tables referencing it). */
export class OwnTicketsOnly1795900000000 implements MigrationInterface {
  name = 'OwnTicketsOnly1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" ADD COLUMN "own_tickets_only" boolean NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "api_key" ADD COLUMN "own_tickets_only" boolean NOT NULL DEFAULT (0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_key" DROP COLUMN "own_tickets_only"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "own_tickets_only"`);
  }
}
