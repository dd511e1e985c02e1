import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhooks, their delivery log, and a reference column on outbox rows. */
export class Webhooks1795428419215 implements MigrationInterface {
  name = 'Webhooks1795428419215';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE `webhook` (`id` int NOT NULL AUTO_INCREMENT, `url` varchar(2000) NOT NULL, `secret` varchar(128) NOT NULL, `events` text NOT NULL, `query` text NULL, `active` tinyint NOT NULL DEFAULT 1, `created_at` datetime(3) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('CREATE TABLE `webhook_delivery` (`id` int NOT NULL AUTO_INCREMENT, `webhook_id` int NOT NULL, `event` varchar(40) NOT NULL, `ticket_id` int NOT NULL, `from_change_id` int NULL, `to_change_id` int NULL, `status` varchar(16) NOT NULL, `attempts` int NOT NULL DEFAULT 0, `response_status` int NULL, `last_error` text NULL, `created_at` datetime(3) NOT NULL, `delivered_at` datetime(3) NULL, INDEX `IDX_72f2e35fb2ff43a511f279c5d1` (`webhook_id`, `id`), PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `webhook_delivery` ADD CONSTRAINT `FK_ef25cc28dcf88ea3dd81f39af2d` FOREIGN KEY (`webhook_id`) REFERENCES `webhook`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `outbox` ADD `ref_id` int NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `outbox` DROP COLUMN `ref_id`');
    await queryRunner.query('DROP TABLE `webhook_delivery`');
    await queryRunner.query('DROP TABLE `webhook`');
  }
}
