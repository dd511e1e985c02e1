import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OwnTicketsOnly1795900000000 implements MigrationInterface {
  name = 'OwnTicketsOnly1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`app_user\` ADD \`own_tickets_only\` tinyint NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE \`api_key\` ADD \`own_tickets_only\` tinyint NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`api_key\` DROP COLUMN \`own_tickets_only\``);
    await queryRunner.query(`ALTER TABLE \`app_user\` DROP COLUMN \`own_tickets_only\``);
  }
}
