import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which comment a COMMENT_VISIBILITY entry is about (null for entries written before). */
export class CommentVisibilityTarget1796471664035 implements MigrationInterface {
  name = 'CommentVisibilityTarget1796471664035';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket_change\` ADD \`comment_id\` int NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket_change\` DROP COLUMN \`comment_id\``);
  }
}
