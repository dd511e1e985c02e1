import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which comment a COMMENT_VISIBILITY entry is about (null for entries written before). A column
 * added in place: SQLite's ADD COLUMN needs no copy of the history table.
 */
export class CommentVisibilityTarget1796471661315 implements MigrationInterface {
  name = 'CommentVisibilityTarget1796471661315';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_change" ADD "comment_id" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_change" DROP COLUMN "comment_id"`);
  }
}
