import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Create Ticket actions of events (a ticket when a job starts, succeeds or fails, for jobs with
 * given tags). Null for existing events: no actions; their ticketOnFailure keeps working.
 */
export class JobTicketActions1796200000001 implements MigrationInterface {
  name = 'JobTicketActions1796200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`event_definition\` ADD \`ticket_actions\` text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`event_definition\` DROP COLUMN \`ticket_actions\``);
  }
}
