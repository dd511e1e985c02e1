import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Ticket files (rows; the bytes live in the file storage) and server-generated shared secrets. */
export class Files1795424452576 implements MigrationInterface {
  name = 'Files1795424452576';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`app_secret\` (\`name\` varchar(64) NOT NULL, \`value\` varchar(128) NOT NULL, PRIMARY KEY (\`name\`)) ENGINE=InnoDB`);
    await queryRunner.query(`CREATE TABLE \`ticket_file\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL, \`storage_key\` varchar(200) NOT NULL, \`filename\` varchar(255) NOT NULL, \`size\` bigint NOT NULL, \`content_type\` varchar(200) NOT NULL, \`sha256\` varchar(64) NOT NULL, \`uploaded_by_id\` int NULL, \`created_at\` datetime(3) NOT NULL, \`expires_at\` datetime(3) NOT NULL, INDEX \`IDX_decfce30b48a4543866b5558b7\` (\`expires_at\`), INDEX \`IDX_642d48d5bc8b2b6d78ca11552b\` (\`ticket_id\`, \`id\`), UNIQUE INDEX \`IDX_f1e3974586e3933a1592fe4c15\` (\`storage_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`ticket_file\` ADD CONSTRAINT \`FK_6569efed906ddfebf3b06918744\` FOREIGN KEY (\`ticket_id\`) REFERENCES \`ticket\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_file\` ADD CONSTRAINT \`FK_c4c49fad967af5418b0b38bc49d\` FOREIGN KEY (\`uploaded_by_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`ticket_file\``);
    await queryRunner.query(`DROP TABLE \`app_secret\``);
  }
}
