import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys narrowed to a subset of their user's privileges and categories; idempotency records for retried mutations. */
export class Security1795431000000 implements MigrationInterface {
  name = 'Security1795431000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `api_key` ADD `privileges` text NULL, ADD `category_ids` text NULL');
    await queryRunner.query('CREATE TABLE `idempotency_key` (`id` int NOT NULL AUTO_INCREMENT, `user_id` int NOT NULL, `operation` varchar(64) NOT NULL, `client_mutation_id` varchar(100) NOT NULL, `input_hash` varchar(64) NOT NULL, `result` text NOT NULL, `created_at` datetime(3) NOT NULL, UNIQUE INDEX `IDX_idempotency_key_caller` (`user_id`, `operation`, `client_mutation_id`), INDEX `IDX_idempotency_key_created` (`created_at`), PRIMARY KEY (`id`)) ENGINE=InnoDB');
    await queryRunner.query('ALTER TABLE `idempotency_key` ADD CONSTRAINT `FK_idempotency_key_user` FOREIGN KEY (`user_id`) REFERENCES `app_user`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `idempotency_key` DROP FOREIGN KEY `FK_idempotency_key_user`');
    await queryRunner.query('DROP TABLE `idempotency_key`');
    await queryRunner.query('ALTER TABLE `api_key` DROP COLUMN `category_ids`, DROP COLUMN `privileges`');
  }
}
