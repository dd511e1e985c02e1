import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SLA policies and each ticket's SLA targets. Existing due dates were set by hand. */
export class Sla1795427269757 implements MigrationInterface {
  name = 'Sla1795427269757';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE `sla_policy` (`id` int NOT NULL AUTO_INCREMENT, `name` varchar(100) NOT NULL, `priority` smallint NULL, `category_id` int NULL, `response_minutes` int NOT NULL, `resolution_minutes` int NOT NULL, `business_hours` text NULL, `created_at` datetime(3) NOT NULL, INDEX `IDX_2f6136ff85a845b916bc4ef4f7` (`category_id`), UNIQUE INDEX `IDX_67aa98dca26268022b075f2bb7` (`name`), PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `sla_policy` ADD CONSTRAINT `FK_2f6136ff85a845b916bc4ef4f73` FOREIGN KEY (`category_id`) REFERENCES `category`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `ticket` ADD `sla_policy_id` int NULL, ADD `response_due_at` datetime(3) NULL, ADD `resolution_due_at` datetime(3) NULL, ADD `first_response_at` datetime(3) NULL, ADD `due_manual` tinyint NOT NULL DEFAULT 0');
    await queryRunner.query('CREATE INDEX `IDX_35b93a29fa657d37af4d788475` ON `ticket` (`resolution_due_at`)');
    await queryRunner.query('UPDATE `ticket` SET `due_manual` = 1 WHERE `due` IS NOT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `IDX_35b93a29fa657d37af4d788475` ON `ticket`');
    await queryRunner.query('ALTER TABLE `ticket` DROP COLUMN `sla_policy_id`, DROP COLUMN `response_due_at`, DROP COLUMN `resolution_due_at`, DROP COLUMN `first_response_at`, DROP COLUMN `due_manual`');
    await queryRunner.query('DROP TABLE `sla_policy`');
  }
}
