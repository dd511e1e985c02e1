import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The requester's side of a ticket: comment visibility (existing comments were readable by
 * everyone, so they stay public), requester-facing webhooks, files that came with a reply, ticket
 * forwards, and ticket_search_public: the full-text document of each ticket with its public
 * comments only, searched for callers who do not read internal notes (same indexes as ticket_search).
 */
export class RequesterSide1795800000000 implements MigrationInterface {
  name = 'RequesterSide1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`ticket_forward\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL, \`change_id\` int NULL, \`author_id\` int NULL, \`to\` text NOT NULL, \`cc\` text NOT NULL, \`message\` text NULL, \`file_ids\` text NOT NULL, \`created_at\` datetime(3) NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` ADD \`visibility\` varchar(16) NOT NULL DEFAULT 'public'`);
    await queryRunner.query(`ALTER TABLE \`ticket_file\` ADD \`change_id\` int NULL`);
    await queryRunner.query(`ALTER TABLE \`webhook\` ADD \`requester_facing\` tinyint NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE \`ticket_file\` ADD CONSTRAINT \`FK_0ce72d03afda98d32a58f5194d8\` FOREIGN KEY (\`change_id\`) REFERENCES \`ticket_change\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE \`ticket_forward\` ADD CONSTRAINT \`FK_154be65abed7120c4ca294ccc7b\` FOREIGN KEY (\`ticket_id\`) REFERENCES \`ticket\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query('SET SESSION innodb_ft_enable_stopword = 0');
    try {
      await queryRunner.query(
        'CREATE TABLE `ticket_search_public` (`ticket_id` int NOT NULL, `subject` varchar(300) NOT NULL, `body` mediumtext NOT NULL, `comments` mediumtext NOT NULL, ' +
          'PRIMARY KEY (`ticket_id`), FULLTEXT INDEX `FT_ticket_search_public_all` (`subject`, `body`, `comments`), FULLTEXT INDEX `FT_ticket_search_public_subject` (`subject`), ' +
          'FULLTEXT INDEX `FT_ticket_search_public_body` (`body`), FULLTEXT INDEX `FT_ticket_search_public_comments` (`comments`), ' +
          'CONSTRAINT `FK_ticket_search_public_ticket` FOREIGN KEY (`ticket_id`) REFERENCES `ticket` (`id`) ON DELETE CASCADE) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
      );
    } finally {
      await queryRunner.query('SET SESSION innodb_ft_enable_stopword = DEFAULT');
    }
    await queryRunner.query('INSERT INTO `ticket_search_public` (ticket_id, subject, body, comments) SELECT ticket_id, subject, body, comments FROM `ticket_search`');
    // The column default only filled existing rows (their comments were readable by everyone: public); writers always set it.
    await queryRunner.query(`ALTER TABLE \`ticket_change\` CHANGE \`visibility\` \`visibility\` varchar(16) NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`ticket_change\` CHANGE \`visibility\` \`visibility\` varchar(16) NOT NULL DEFAULT 'public'`);
    await queryRunner.query('DROP TABLE `ticket_search_public`');
    await queryRunner.query(`ALTER TABLE \`ticket_forward\` DROP FOREIGN KEY \`FK_154be65abed7120c4ca294ccc7b\``);
    await queryRunner.query(`ALTER TABLE \`ticket_file\` DROP FOREIGN KEY \`FK_0ce72d03afda98d32a58f5194d8\``);
    await queryRunner.query(`ALTER TABLE \`webhook\` DROP COLUMN \`requester_facing\``);
    await queryRunner.query(`ALTER TABLE \`ticket_file\` DROP COLUMN \`change_id\``);
    await queryRunner.query(`ALTER TABLE \`ticket_change\` DROP COLUMN \`visibility\``);
    await queryRunner.query(`DROP TABLE \`ticket_forward\``);
  }
}
