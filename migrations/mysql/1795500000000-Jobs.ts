import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Event definitions, ticket events, jobs and their files; ticket origins; job entries in the history. */
export class Jobs1795500000000 implements MigrationInterface {
  name = 'Jobs1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE `event_definition` (`id` int NOT NULL AUTO_INCREMENT, `key` varchar(64) NOT NULL, `title` varchar(200) NOT NULL, `runner` varchar(16) NOT NULL, `command` text NULL, `url` varchar(2000) NULL, `secret` varchar(128) NULL, `timeout_seconds` int NOT NULL, `targets` text NOT NULL, `algo` varchar(32) NOT NULL, `tags` text NOT NULL, `fields` text NOT NULL, `category_key` varchar(64) NULL, `ticket_on_failure` tinyint NOT NULL DEFAULT 0, `enabled` tinyint NOT NULL DEFAULT 1, `created_at` datetime(3) NOT NULL, `updated_at` datetime(3) NOT NULL, UNIQUE INDEX `UQ_event_definition_key` (`key`), PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('CREATE TABLE `ticket_event` (`id` int NOT NULL AUTO_INCREMENT, `ticket_id` int NOT NULL, `event_id` int NOT NULL, `targets` text NULL, `algo` varchar(32) NULL, `tags` text NULL, `params` text NOT NULL, `created_by_id` int NULL, `created_at` datetime(3) NOT NULL, `updated_at` datetime(3) NOT NULL, INDEX `IDX_ticket_event_ticket` (`ticket_id`, `id`), PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `ticket_event` ADD CONSTRAINT `FK_ticket_event_ticket` FOREIGN KEY (`ticket_id`) REFERENCES `ticket`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `ticket_event` ADD CONSTRAINT `FK_ticket_event_event` FOREIGN KEY (`event_id`) REFERENCES `event_definition`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('CREATE TABLE `job` (`id` int NOT NULL AUTO_INCREMENT, `ticket_id` int NOT NULL, `ticket_event_id` int NULL, `parent_job_id` int NULL, `event_id` int NOT NULL, `runner` varchar(16) NOT NULL, `status` varchar(16) NOT NULL, `targets` text NOT NULL, `algo` varchar(32) NOT NULL, `tags` text NOT NULL, `params` text NOT NULL, `code` int NULL, `description` text NULL, `server` varchar(255) NULL, `log` mediumtext NULL, `runner_instance` varchar(128) NULL, `launched_by_id` int NULL, `created_at` datetime(3) NOT NULL, `started_at` datetime(3) NULL, `completed_at` datetime(3) NULL, INDEX `IDX_job_ticket` (`ticket_id`, `id`), INDEX `IDX_job_status_instance` (`status`, `runner_instance`), PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `job` ADD CONSTRAINT `FK_job_ticket` FOREIGN KEY (`ticket_id`) REFERENCES `ticket`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `job` ADD CONSTRAINT `FK_job_ticket_event` FOREIGN KEY (`ticket_event_id`) REFERENCES `ticket_event`(`id`) ON DELETE SET NULL ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `job` ADD CONSTRAINT `FK_job_parent` FOREIGN KEY (`parent_job_id`) REFERENCES `job`(`id`) ON DELETE SET NULL ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `job` ADD CONSTRAINT `FK_job_event` FOREIGN KEY (`event_id`) REFERENCES `event_definition`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('CREATE TABLE `job_file` (`job_id` int NOT NULL, `file_id` int NOT NULL, `role` varchar(8) NOT NULL, INDEX `IDX_job_file_file` (`file_id`), PRIMARY KEY (`job_id`, `file_id`, `role`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `job_file` ADD CONSTRAINT `FK_job_file_job` FOREIGN KEY (`job_id`) REFERENCES `job`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `job_file` ADD CONSTRAINT `FK_job_file_file` FOREIGN KEY (`file_id`) REFERENCES `ticket_file`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `ticket` ADD `origin_kind` varchar(16) NULL, ADD `origin_id` varchar(100) NULL, ADD `origin_data` text NULL, ADD INDEX `IDX_ticket_origin` (`origin_kind`, `origin_id`)');
    await queryRunner.query('ALTER TABLE `ticket_change` ADD `job_id` int NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `ticket_change` DROP COLUMN `job_id`');
    await queryRunner.query('ALTER TABLE `ticket` DROP INDEX `IDX_ticket_origin`, DROP COLUMN `origin_data`, DROP COLUMN `origin_id`, DROP COLUMN `origin_kind`');
    await queryRunner.query('DROP TABLE `job_file`');
    await queryRunner.query('DROP TABLE `job`');
    await queryRunner.query('DROP TABLE `ticket_event`');
    await queryRunner.query('DROP TABLE `event_definition`');
  }
}
