import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The process group of a running local job, so a restarted server can stop what a crash left running. */
export class JobProcessGroup1795600000000 implements MigrationInterface {
  name = 'JobProcessGroup1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `job` ADD `process_group` int NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `job` DROP COLUMN `process_group`');
  }
}
