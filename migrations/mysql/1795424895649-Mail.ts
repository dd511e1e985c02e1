import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox (mail and other side effects), refused addresses, and the per-user mail switch. */
export class Mail1795424895649 implements MigrationInterface {
  name = 'Mail1795424895649';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`mail_suppression\` (\`address\` varchar(254) NOT NULL, \`reason\` varchar(500) NOT NULL, \`created_at\` datetime(3) NOT NULL, PRIMARY KEY (\`address\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`outbox\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kind\` varchar(32) NOT NULL, \`ticket_id\` int NULL, \`dedupe_key\` varchar(100) NULL, \`from_change_id\` int NULL, \`to_change_id\` int NULL, \`status\` varchar(16) NOT NULL, \`attempts\` int NOT NULL DEFAULT '0', \`available_at\` datetime(3) NOT NULL, \`claimed_until\` datetime(3) NULL, \`last_error\` text NULL, \`created_at\` datetime(3) NOT NULL, \`sent_at\` datetime(3) NULL, INDEX \`IDX_9a52a6dc247b1f2312ac9e2871\` (\`status\`, \`available_at\`), UNIQUE INDEX \`IDX_52c6221ea953d3acd726ca982d\` (\`dedupe_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`app_user\` ADD \`mail_enabled\` tinyint NOT NULL DEFAULT 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`app_user\` DROP COLUMN \`mail_enabled\``);
    await queryRunner.query(`DROP TABLE \`outbox\``);
    await queryRunner.query(`DROP TABLE \`mail_suppression\``);
  }
}
