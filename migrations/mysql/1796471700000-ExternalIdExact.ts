import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External ids compared byte for byte, as on SQLite: under utf8mb4_unicode_ci "ABC-1" and "abc-1"
 * were one id, so an integration's second ticket answered its first. Written by hand: TypeORM's
 * schema diff does not compare collations. No row can break the unique index: case-folded values
 * that were unique stay unique when compared exactly.
 */
export class ExternalIdExact1796471700000 implements MigrationInterface {
  name = 'ExternalIdExact1796471700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket\` MODIFY \`external_id\` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket\` MODIFY \`external_id\` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL`);
  }
}
