import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795412143980 implements MigrationInterface {
  name = 'Initial1795412143980';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`app_user\` (\`id\` int NOT NULL AUTO_INCREMENT, \`username\` varchar(64) NOT NULL, \`name\` varchar(200) NOT NULL, \`email\` varchar(254) NULL, \`privileges\` text NOT NULL, \`category_ids\` text NULL, \`active\` tinyint NOT NULL DEFAULT 1, \`created_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_c480e576dd71729addbc2d51b6\` (\`username\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`api_key\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`name\` varchar(100) NOT NULL, \`key_hash\` varchar(64) NOT NULL, \`prefix\` varchar(16) NOT NULL, \`expires_at\` datetime(3) NULL, \`last_used_at\` datetime(3) NULL, \`revoked_at\` datetime(3) NULL, \`created_at\` datetime(3) NOT NULL, INDEX \`IDX_6a0830f03e537b239a53269b27\` (\`user_id\`), UNIQUE INDEX \`IDX_3c9751d2a6011ba13e27838105\` (\`key_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`category\` (\`id\` int NOT NULL AUTO_INCREMENT, \`key\` varchar(64) NOT NULL, \`title\` varchar(200) NOT NULL, \`created_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_7c82c39b0dc8ef1ba334eb615a\` (\`key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`ticket\` (\`id\` int NOT NULL AUTO_INCREMENT, \`number\` int NOT NULL, \`subject\` varchar(300) NOT NULL, \`body\` text NOT NULL, \`type\` varchar(16) NOT NULL, \`status\` varchar(16) NOT NULL, \`priority\` smallint NOT NULL, \`category_id\` int NULL, \`server\` varchar(200) NULL, \`notify\` text NOT NULL, \`due\` datetime(3) NULL, \`creator_id\` int NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL, \`closed_at\` datetime(3) NULL, \`deleted_at\` datetime(3) NULL, \`version\` int NOT NULL, INDEX \`IDX_41d5bc6539e69677fb5f54fd80\` (\`category_id\`), INDEX \`IDX_348bed723fc30e7b5a136f38cf\` (\`server\`), INDEX \`IDX_16669b9bb5210c7979623b18c9\` (\`due\`), INDEX \`IDX_51dc3e7731182a97ad1f28c281\` (\`creator_id\`), INDEX \`IDX_d7d57e7574137dfac08d02e1f6\` (\`deleted_at\`, \`number\`), INDEX \`IDX_e06d61c34e2334a0712cc2b96e\` (\`status\`, \`number\`), UNIQUE INDEX \`IDX_a8d5171cdff59b4d6fc2c6d092\` (\`number\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`ticket_change\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL, \`type\` varchar(24) NOT NULL, \`field\` varchar(24) NULL, \`old_value\` text NULL, \`new_value\` text NULL, \`body\` text NULL, \`author_id\` int NULL, \`created_at\` datetime(3) NOT NULL, \`edited_at\` datetime(3) NULL, \`edited_by_id\` int NULL, INDEX \`IDX_6c479caa471106eebb52143738\` (\`author_id\`), INDEX \`IDX_b647b80de42fa4b9d4ad72ed09\` (\`ticket_id\`, \`type\`, \`id\`), INDEX \`IDX_cd938f721c2a5d1b7f4593efd9\` (\`ticket_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`comment_revision\` (\`id\` int NOT NULL AUTO_INCREMENT, \`change_id\` int NOT NULL, \`body\` text NOT NULL, \`author_id\` int NULL, \`written_at\` datetime(3) NOT NULL, \`replaced_at\` datetime(3) NOT NULL, INDEX \`IDX_b73dea0ea88cbf674364480ef0\` (\`change_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`tag\` (\`id\` int NOT NULL AUTO_INCREMENT, \`key\` varchar(64) NOT NULL, \`title\` varchar(200) NOT NULL, \`created_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_28cb5c00311cc4d6db1b51603d\` (\`key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`ticket_sequence\` (\`name\` varchar(32) NOT NULL, \`counter\` int NOT NULL, PRIMARY KEY (\`name\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`ticket_tag\` (\`ticket_id\` int NOT NULL, \`tag_id\` int NOT NULL, \`position\` smallint NOT NULL, INDEX \`IDX_2fb2613aee93b2b16b17209790\` (\`tag_id\`), PRIMARY KEY (\`ticket_id\`, \`tag_id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`ticket_user\` (\`ticket_id\` int NOT NULL, \`role\` varchar(16) NOT NULL, \`user_id\` int NOT NULL, \`position\` smallint NOT NULL, INDEX \`IDX_9770edad27e778e687520ac6ec\` (\`user_id\`, \`role\`), PRIMARY KEY (\`ticket_id\`, \`role\`, \`user_id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`api_key\` ADD CONSTRAINT \`FK_6a0830f03e537b239a53269b27d\` FOREIGN KEY (\`user_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD CONSTRAINT \`FK_41d5bc6539e69677fb5f54fd80d\` FOREIGN KEY (\`category_id\`) REFERENCES \`category\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket\` ADD CONSTRAINT \`FK_51dc3e7731182a97ad1f28c281d\` FOREIGN KEY (\`creator_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` ADD CONSTRAINT \`FK_f742d02a553d21da610aac23507\` FOREIGN KEY (\`ticket_id\`) REFERENCES \`ticket\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` ADD CONSTRAINT \`FK_6c479caa471106eebb521437385\` FOREIGN KEY (\`author_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` ADD CONSTRAINT \`FK_3388582bc3a781f04fb932e03dd\` FOREIGN KEY (\`edited_by_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`comment_revision\` ADD CONSTRAINT \`FK_c73087209104b79e769087feb3f\` FOREIGN KEY (\`change_id\`) REFERENCES \`ticket_change\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`comment_revision\` ADD CONSTRAINT \`FK_ed49d1c9f698349e017120e42d2\` FOREIGN KEY (\`author_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_tag\` ADD CONSTRAINT \`FK_2c454bc0ee736a9e188be1fd4e6\` FOREIGN KEY (\`ticket_id\`) REFERENCES \`ticket\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_tag\` ADD CONSTRAINT \`FK_2fb2613aee93b2b16b172097900\` FOREIGN KEY (\`tag_id\`) REFERENCES \`tag\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_user\` ADD CONSTRAINT \`FK_a628bf66f83fddfd93678105d4f\` FOREIGN KEY (\`ticket_id\`) REFERENCES \`ticket\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_user\` ADD CONSTRAINT \`FK_bda1ab24ad52e289a9da73f7060\` FOREIGN KEY (\`user_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    // Ticket numbers start at 1: the first create bumps this counter.
    await queryRunner.query(`INSERT INTO \`ticket_sequence\` (\`name\`, \`counter\`) VALUES ('ticket', 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket_user\` DROP FOREIGN KEY \`FK_bda1ab24ad52e289a9da73f7060\``);
    await queryRunner.query(`ALTER TABLE \`ticket_user\` DROP FOREIGN KEY \`FK_a628bf66f83fddfd93678105d4f\``);
    await queryRunner.query(`ALTER TABLE \`ticket_tag\` DROP FOREIGN KEY \`FK_2fb2613aee93b2b16b172097900\``);
    await queryRunner.query(`ALTER TABLE \`ticket_tag\` DROP FOREIGN KEY \`FK_2c454bc0ee736a9e188be1fd4e6\``);
    await queryRunner.query(`ALTER TABLE \`comment_revision\` DROP FOREIGN KEY \`FK_ed49d1c9f698349e017120e42d2\``);
    await queryRunner.query(`ALTER TABLE \`comment_revision\` DROP FOREIGN KEY \`FK_c73087209104b79e769087feb3f\``);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` DROP FOREIGN KEY \`FK_3388582bc3a781f04fb932e03dd\``);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` DROP FOREIGN KEY \`FK_6c479caa471106eebb521437385\``);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` DROP FOREIGN KEY \`FK_f742d02a553d21da610aac23507\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP FOREIGN KEY \`FK_51dc3e7731182a97ad1f28c281d\``);
    await queryRunner.query(`ALTER TABLE \`ticket\` DROP FOREIGN KEY \`FK_41d5bc6539e69677fb5f54fd80d\``);
    await queryRunner.query(`ALTER TABLE \`api_key\` DROP FOREIGN KEY \`FK_6a0830f03e537b239a53269b27d\``);
    await queryRunner.query(`DROP INDEX \`IDX_9770edad27e778e687520ac6ec\` ON \`ticket_user\``);
    await queryRunner.query(`DROP TABLE \`ticket_user\``);
    await queryRunner.query(`DROP INDEX \`IDX_2fb2613aee93b2b16b17209790\` ON \`ticket_tag\``);
    await queryRunner.query(`DROP TABLE \`ticket_tag\``);
    await queryRunner.query(`DROP TABLE \`ticket_sequence\``);
    await queryRunner.query(`DROP INDEX \`IDX_28cb5c00311cc4d6db1b51603d\` ON \`tag\``);
    await queryRunner.query(`DROP TABLE \`tag\``);
    await queryRunner.query(`DROP INDEX \`IDX_b73dea0ea88cbf674364480ef0\` ON \`comment_revision\``);
    await queryRunner.query(`DROP TABLE \`comment_revision\``);
    await queryRunner.query(`DROP INDEX \`IDX_cd938f721c2a5d1b7f4593efd9\` ON \`ticket_change\``);
    await queryRunner.query(`DROP INDEX \`IDX_b647b80de42fa4b9d4ad72ed09\` ON \`ticket_change\``);
    await queryRunner.query(`DROP INDEX \`IDX_6c479caa471106eebb52143738\` ON \`ticket_change\``);
    await queryRunner.query(`DROP TABLE \`ticket_change\``);
    await queryRunner.query(`DROP INDEX \`IDX_a8d5171cdff59b4d6fc2c6d092\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`IDX_e06d61c34e2334a0712cc2b96e\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`IDX_d7d57e7574137dfac08d02e1f6\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`IDX_51dc3e7731182a97ad1f28c281\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`IDX_16669b9bb5210c7979623b18c9\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`IDX_348bed723fc30e7b5a136f38cf\` ON \`ticket\``);
    await queryRunner.query(`DROP INDEX \`IDX_41d5bc6539e69677fb5f54fd80\` ON \`ticket\``);
    await queryRunner.query(`DROP TABLE \`ticket\``);
    await queryRunner.query(`DROP INDEX \`IDX_7c82c39b0dc8ef1ba334eb615a\` ON \`category\``);
    await queryRunner.query(`DROP TABLE \`category\``);
    await queryRunner.query(`DROP INDEX \`IDX_3c9751d2a6011ba13e27838105\` ON \`api_key\``);
    await queryRunner.query(`DROP INDEX \`IDX_6a0830f03e537b239a53269b27\` ON \`api_key\``);
    await queryRunner.query(`DROP TABLE \`api_key\``);
    await queryRunner.query(`DROP INDEX \`IDX_c480e576dd71729addbc2d51b6\` ON \`app_user\``);
    await queryRunner.query(`DROP TABLE \`app_user\``);
  }
}
