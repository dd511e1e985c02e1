import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Groups of users, and per-category group and auto-assignment. */
export class Groups1795427524652 implements MigrationInterface {
  name = 'Groups1795427524652';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE `user_group` (`id` int NOT NULL AUTO_INCREMENT, `key` varchar(64) NOT NULL, `title` varchar(200) NOT NULL, `last_assigned_user_id` int NULL, `created_at` datetime(3) NOT NULL, UNIQUE INDEX `IDX_7e98524852b29de90a24510ab9` (`key`), PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('CREATE TABLE `group_member` (`group_id` int NOT NULL, `user_id` int NOT NULL, PRIMARY KEY (`group_id`, `user_id`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `group_member` ADD CONSTRAINT `FK_group_member_group` FOREIGN KEY (`group_id`) REFERENCES `user_group`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `group_member` ADD CONSTRAINT `FK_group_member_user` FOREIGN KEY (`user_id`) REFERENCES `app_user`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
    await queryRunner.query('ALTER TABLE `category` ADD `group_id` int NULL, ADD `auto_assign` tinyint NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE `category` ADD CONSTRAINT `FK_dc80af15ad8913831d0c359018d` FOREIGN KEY (`group_id`) REFERENCES `user_group`(`id`) ON DELETE SET NULL ON UPDATE NO ACTION');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `category` DROP FOREIGN KEY `FK_dc80af15ad8913831d0c359018d`');
    await queryRunner.query('ALTER TABLE `category` DROP COLUMN `group_id`, DROP COLUMN `auto_assign`');
    await queryRunner.query('DROP TABLE `group_member`');
    await queryRunner.query('DROP TABLE `user_group`');
  }
}
