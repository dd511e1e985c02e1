import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved searches, and ticket_search: the full-text document of each ticket with one FULLTEXT
 * index per searchable column set (MATCH must name an index's columns exactly). Stopwords are
 * switched off while the indexes are created, because InnoDB fixes an index's stopword list at
 * creation: with the default list, words such as "the" or "with" could never be found, unlike on
 * SQLite. Words shorter than innodb_ft_min_token_size (3) are not indexed; the query side drops
 * them on both databases.
 */
export class Search1795423177886 implements MigrationInterface {
  name = 'Search1795423177886';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE \`saved_search\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`name\` varchar(100) NOT NULL, \`query\` text NULL, \`filter\` text NULL, \`order_by\` text NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL, UNIQUE INDEX \`IDX_9f67f91dbc7dab01c5dc9a78f8\` (\`user_id\`, \`name\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    await queryRunner.query(`ALTER TABLE \`saved_search\` ADD CONSTRAINT \`FK_33780d7f908bacc052ce093147b\` FOREIGN KEY (\`user_id\`) REFERENCES \`app_user\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query('SET SESSION innodb_ft_enable_stopword = 0');
    try {
      await queryRunner.query(
        'CREATE TABLE `ticket_search` (`ticket_id` int NOT NULL, `subject` varchar(300) NOT NULL, `body` mediumtext NOT NULL, `comments` mediumtext NOT NULL, ' +
          'PRIMARY KEY (`ticket_id`), FULLTEXT INDEX `FT_ticket_search_all` (`subject`, `body`, `comments`), FULLTEXT INDEX `FT_ticket_search_subject` (`subject`), ' +
          'FULLTEXT INDEX `FT_ticket_search_body` (`body`), FULLTEXT INDEX `FT_ticket_search_comments` (`comments`), ' +
          'CONSTRAINT `FK_ticket_search_ticket` FOREIGN KEY (`ticket_id`) REFERENCES `ticket` (`id`) ON DELETE CASCADE) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
      );
    } finally {
      await queryRunner.query('SET SESSION innodb_ft_enable_stopword = DEFAULT');
    }
    await queryRunner.query(
      "INSERT INTO `ticket_search` (ticket_id, subject, body, comments) SELECT t.id, t.subject, t.body, COALESCE((SELECT GROUP_CONCAT(c.body ORDER BY c.id SEPARATOR '\\n') " +
        "FROM `ticket_change` c WHERE c.ticket_id = t.id AND c.type = 'comment'), '') FROM `ticket` t",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `ticket_search`');
    await queryRunner.query('ALTER TABLE `saved_search` DROP FOREIGN KEY `FK_33780d7f908bacc052ce093147b`');
    await queryRunner.query('DROP TABLE `saved_search`');
  }
}
