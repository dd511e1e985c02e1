import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Custom fields (issue 18): their definitions, the categories requiring them, ticket values, and the key in history entries. */
export class CustomFields1796100000000 implements MigrationInterface {
  name = 'CustomFields1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`custom_field\` (\`id\` int NOT NULL AUTO_INCREMENT, \`key\` varchar(64) NOT NULL, \`title\` varchar(200) NOT NULL, \`type\` varchar(16) NOT NULL, \`choices\` text NOT NULL, \`active\` tinyint NOT NULL DEFAULT 1, \`position\` int NOT NULL DEFAULT '0', \`created_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_7db5df2c1d8b5bc1d8f9f1d87c\` (\`key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`custom_field_category\` (\`field_id\` int NOT NULL, \`category_id\` int NOT NULL, INDEX \`IDX_88eba449c8496d211f14a80bc6\` (\`category_id\`), PRIMARY KEY (\`field_id\`, \`category_id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`ticket_field_value\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL, \`field_id\` int NOT NULL, \`value_text\` varchar(500) NULL, \`value_number\` double NULL, \`value_date\` varchar(10) NULL, \`value_user_id\` int NULL, INDEX \`IDX_2445d57841716173ef0bb00ed7\` (\`field_id\`, \`value_user_id\`), INDEX \`IDX_dbc5cf3711327e9b7629fb38fa\` (\`field_id\`, \`value_date\`), INDEX \`IDX_043742f973f57b86bbc2167539\` (\`field_id\`, \`value_number\`), INDEX \`IDX_7ea84f9278f02a67ed0839e51a\` (\`field_id\`, \`value_text\`), INDEX \`IDX_6bc28d4787cc81097ddc6363c1\` (\`ticket_id\`, \`field_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` ADD \`custom_field_key\` varchar(64) NULL`);
    await queryRunner.query(`ALTER TABLE \`custom_field_category\` ADD CONSTRAINT \`FK_475bc0152f48118afe8aee4c994\` FOREIGN KEY (\`field_id\`) REFERENCES \`custom_field\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`custom_field_category\` ADD CONSTRAINT \`FK_88eba449c8496d211f14a80bc66\` FOREIGN KEY (\`category_id\`) REFERENCES \`category\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_field_value\` ADD CONSTRAINT \`FK_edc713cd80ebebdeb729c33ac02\` FOREIGN KEY (\`ticket_id\`) REFERENCES \`ticket\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_field_value\` ADD CONSTRAINT \`FK_51e3351a049fde4fc5768632426\` FOREIGN KEY (\`field_id\`) REFERENCES \`custom_field\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_field_value\` ADD CONSTRAINT \`FK_edb7528177dc2741b894c512c9f\` FOREIGN KEY (\`value_user_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket_field_value\` DROP FOREIGN KEY \`FK_edb7528177dc2741b894c512c9f\``);
    await queryRunner.query(`ALTER TABLE \`ticket_field_value\` DROP FOREIGN KEY \`FK_51e3351a049fde4fc5768632426\``);
    await queryRunner.query(`ALTER TABLE \`ticket_field_value\` DROP FOREIGN KEY \`FK_edc713cd80ebebdeb729c33ac02\``);
    await queryRunner.query(`ALTER TABLE \`custom_field_category\` DROP FOREIGN KEY \`FK_88eba449c8496d211f14a80bc66\``);
    await queryRunner.query(`ALTER TABLE \`custom_field_category\` DROP FOREIGN KEY \`FK_475bc0152f48118afe8aee4c994\``);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` DROP COLUMN \`custom_field_key\``);
    await queryRunner.query(`DROP INDEX \`IDX_6bc28d4787cc81097ddc6363c1\` ON \`ticket_field_value\``);
    await queryRunner.query(`DROP INDEX \`IDX_7ea84f9278f02a67ed0839e51a\` ON \`ticket_field_value\``);
    await queryRunner.query(`DROP INDEX \`IDX_043742f973f57b86bbc2167539\` ON \`ticket_field_value\``);
    await queryRunner.query(`DROP INDEX \`IDX_dbc5cf3711327e9b7629fb38fa\` ON \`ticket_field_value\``);
    await queryRunner.query(`DROP INDEX \`IDX_2445d57841716173ef0bb00ed7\` ON \`ticket_field_value\``);
    await queryRunner.query(`DROP TABLE \`ticket_field_value\``);
    await queryRunner.query(`DROP INDEX \`IDX_88eba449c8496d211f14a80bc6\` ON \`custom_field_category\``);
    await queryRunner.query(`DROP TABLE \`custom_field_category\``);
    await queryRunner.query(`DROP INDEX \`IDX_7db5df2c1d8b5bc1d8f9f1d87c\` ON \`custom_field\``);
    await queryRunner.query(`DROP TABLE \`custom_field\``);
  }
}
