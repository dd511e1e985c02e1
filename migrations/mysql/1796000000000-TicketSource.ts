import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ticket source and external id (unique per source), and requester-only users. Existing tickets:
 * a job or alert origin gives JOB or ALERT; the rest stay MANUAL, since which credential created
 * them was never recorded.
 */
export class TicketSource1796000000000 implements MigrationInterface {
  name = 'TicketSource1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`app_user\` ADD \`requester_only\` tinyint NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD \`source\` varchar(16) NOT NULL DEFAULT 'manual'`);
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD \`external_id\` varchar(100) NULL`);
    await queryRunner.query(`UPDATE \`ticket\` SET \`source\` = CASE \`origin_kind\` WHEN 'alert' THEN 'alert' ELSE 'job' END WHERE \`origin_kind\` IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX \`UQ_ticket_source_external_id\` ON \`ticket\` (\`source\`, \`external_id\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`UQ_ticket_source_external_id\` ON \`ticket\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP COLUMN \`external_id\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP COLUMN \`source\``);
    await queryRunner.query(`ALTER TABLE \`app_user\` DROP COLUMN \`requester_only\``);
  }
}
