import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Helpdesk workflow: requester, resolution, lock, last writer, and read state. */
export class Helpdesk1795426765152 implements MigrationInterface {
  name = 'Helpdesk1795426765152';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE `ticket_read` (`user_id` int NOT NULL, `ticket_id` int NOT NULL, `read_version` int NOT NULL, `read_at` datetime(3) NOT NULL, PRIMARY KEY (`user_id`, `ticket_id`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `ticket` ADD `requester_id` int NULL, ADD `resolution` text NULL, ADD `resolved_at` datetime(3) NULL, ADD `resolved_by_id` int NULL, ADD `locked` tinyint NOT NULL DEFAULT 0, ADD `last_actor_id` int NULL');
    await queryRunner.query('CREATE INDEX `IDX_2a3cae8fd60482104d7f09a589` ON `ticket` (`requester_id`)');
    await queryRunner.query('UPDATE `ticket` SET `requester_id` = `creator_id`, `last_actor_id` = `creator_id`');
    await queryRunner.query('ALTER TABLE `ticket` ADD CONSTRAINT `FK_2a3cae8fd60482104d7f09a5894` FOREIGN KEY (`requester_id`) REFERENCES `app_user`(`id`) ON DELETE SET NULL ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `ticket_read` ADD CONSTRAINT `FK_69e18a5eff43a7043bf7f117e76` FOREIGN KEY (`user_id`) REFERENCES `app_user`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `ticket_read` ADD CONSTRAINT `FK_e9ed8739d13c9aa6bbafaf1cf8c` FOREIGN KEY (`ticket_id`) REFERENCES `ticket`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `ticket_read`');
    await queryRunner.query('ALTER TABLE `ticket` DROP FOREIGN KEY `FK_2a3cae8fd60482104d7f09a5894`');
    await queryRunner.query('DROP INDEX `IDX_2a3cae8fd60482104d7f09a589` ON `ticket`');
    await queryRunner.query('ALTER TABLE `ticket` DROP COLUMN `requester_id`, DROP COLUMN `resolution`, DROP COLUMN `resolved_at`, DROP COLUMN `resolved_by_id`, DROP COLUMN `locked`, DROP COLUMN `last_actor_id`');
  }
}
