import type { MigrationInterface, QueryRunner } from 'typeorm';

interface Rebuild {
  table: string;
  /** The table's columns and constraints: what goes between the parentheses of CREATE TABLE. */
  definition: string;
  /** Its indexes, created again after the rebuild. */
  indexes: string[];
}

const CATEGORY_INDEXES: string[] = [];
const TICKET_INDEXES = [
  `CREATE INDEX "IDX_41d5bc6539e69677fb5f54fd80" ON "ticket" ("category_id")`,
  `CREATE INDEX "IDX_348bed723fc30e7b5a136f38cf" ON "ticket" ("server")`,
  `CREATE INDEX "IDX_16669b9bb5210c7979623b18c9" ON "ticket" ("due")`,
  `CREATE INDEX "IDX_51dc3e7731182a97ad1f28c281" ON "ticket" ("creator_id")`,
  `CREATE INDEX "IDX_d7d57e7574137dfac08d02e1f6" ON "ticket" ("deleted_at", "number")`,
  `CREATE INDEX "IDX_e06d61c34e2334a0712cc2b96e" ON "ticket" ("status", "number")`,
  `CREATE INDEX "IDX_2a3cae8fd60482104d7f09a589" ON "ticket" ("requester_id")`,
  `CREATE INDEX "IDX_35b93a29fa657d37af4d788475" ON "ticket" ("resolution_due_at")`,
  `CREATE INDEX "IDX_ticket_origin" ON "ticket" ("origin_kind", "origin_id")`,
];

const CATEGORY_COLUMNS = `"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "key" varchar(64) NOT NULL, "title" varchar(200) NOT NULL, "created_at" datetime(3) NOT NULL`;
const TICKET_COLUMNS =
  `"id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "number" integer NOT NULL, "subject" varchar(300) NOT NULL, "body" text NOT NULL, "type" varchar(16) NOT NULL, ` +
  `"status" varchar(16) NOT NULL, "priority" smallint NOT NULL, "category_id" integer, "server" varchar(200), "notify" text NOT NULL, "due" datetime(3), ` +
  `"creator_id" integer NOT NULL, "created_at" datetime(3) NOT NULL, "updated_at" datetime(3) NOT NULL, "closed_at" datetime(3), "deleted_at" datetime(3), "version" integer NOT NULL`;
const TICKET_LATER_COLUMNS =
  `"resolution" text, "resolved_at" datetime(3), "resolved_by_id" integer, "locked" boolean NOT NULL DEFAULT (0), "last_actor_id" integer, ` +
  `"sla_policy_id" integer, "response_due_at" datetime(3), "resolution_due_at" datetime(3), "first_response_at" datetime(3), "due_manual" boolean NOT NULL DEFAULT (0), ` +
  `"origin_kind" varchar(16), "origin_id" varchar(100), "origin_data" text`;
const TICKET_CONSTRAINTS =
  `CONSTRAINT "UQ_a8d5171cdff59b4d6fc2c6d092e" UNIQUE ("number"), ` +
  `CONSTRAINT "FK_51dc3e7731182a97ad1f28c281d" FOREIGN KEY ("creator_id") REFERENCES "app_user" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION, ` +
  `CONSTRAINT "FK_41d5bc6539e69677fb5f54fd80d" FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION`;

/** After: the two foreign keys named as on MariaDB and in the entities (TypeORM's names). */
const NAMED: Rebuild[] = [
  {
    table: 'category',
    definition:
      `${CATEGORY_COLUMNS}, "group_id" integer, "auto_assign" boolean NOT NULL DEFAULT (0), CONSTRAINT "UQ_7c82c39b0dc8ef1ba334eb615a3" UNIQUE ("key"), ` +
      `CONSTRAINT "FK_dc80af15ad8913831d0c359018d" FOREIGN KEY ("group_id") REFERENCES "user_group" ("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    indexes: CATEGORY_INDEXES,
  },
  {
    table: 'ticket',
    definition:
      `${TICKET_COLUMNS}, "requester_id" integer, ${TICKET_LATER_COLUMNS}, ${TICKET_CONSTRAINTS}, ` +
      `CONSTRAINT "FK_2a3cae8fd60482104d7f09a5894" FOREIGN KEY ("requester_id") REFERENCES "app_user" ("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    indexes: TICKET_INDEXES,
  },
];

/** Before: the keys as ALTER TABLE ... ADD COLUMN ... REFERENCES made them (Groups, Helpdesk), without a name. */
const UNNAMED: Rebuild[] = [
  {
    table: 'category',
    definition: `${CATEGORY_COLUMNS}, "group_id" integer REFERENCES "user_group" ("id") ON DELETE SET NULL, "auto_assign" boolean NOT NULL DEFAULT (0), CONSTRAINT "UQ_7c82c39b0dc8ef1ba334eb615a3" UNIQUE ("key")`,
    indexes: CATEGORY_INDEXES,
  },
  {
    table: 'ticket',
    definition: `${TICKET_COLUMNS}, "requester_id" integer REFERENCES "app_user" ("id") ON DELETE SET NULL, ${TICKET_LATER_COLUMNS}, ${TICKET_CONSTRAINTS}`,
    indexes: TICKET_INDEXES,
  },
];

/**
 * Names the two foreign keys SQLite had without a name, because Groups and Helpdesk added their
 * columns with ALTER TABLE ... ADD COLUMN ... REFERENCES (category.group_id, ticket.requester_id).
 * TypeORM cannot match an unnamed key with the entity's, so every generated migration dropped and
 * added them again. MariaDB named them from the start: this migration is SQLite's only.
 *
 * SQLite cannot alter a constraint, so both tables are rebuilt: rows copied as they are, indexes
 * created again, and the AUTOINCREMENT counter kept (ids of deleted rows are never given again).
 * That needs foreign keys off, or dropping the old ticket table would delete every row that
 * references it (ON DELETE CASCADE): TypeORM turns them off around migrations run in transactions
 * ('each', as the app runs them, or 'all'); a revert needs `migration:revert -t none` for that.
 * With foreign keys on, the migration refuses to run instead.
 */
export class NamedForeignKeys1795700000000 implements MigrationInterface {
  name = 'NamedForeignKeys1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await refuseWithForeignKeysOn(queryRunner);
    for (const rebuild of NAMED) await rebuildTable(queryRunner, rebuild);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await refuseWithForeignKeysOn(queryRunner);
    for (const rebuild of [...UNNAMED].reverse()) await rebuildTable(queryRunner, rebuild);
  }
}

async function refuseWithForeignKeysOn(queryRunner: QueryRunner): Promise<void> {
  const [row] = (await queryRunner.query('PRAGMA foreign_keys')) as { foreign_keys: number }[];
  if (Number(row?.foreign_keys) !== 0) {
    throw new Error(
      "NamedForeignKeys rebuilds the ticket and category tables and needs foreign keys off: TypeORM turns them off to run migrations with transaction 'each' or 'all', and to revert one with transaction 'none' (migration:revert -t none)",
    );
  }
}

async function rebuildTable(queryRunner: QueryRunner, { table, definition, indexes }: Rebuild): Promise<void> {
  const temporary = `temporary_${table}`;
  const columns = ((await queryRunner.query(`PRAGMA table_info("${table}")`)) as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
  await queryRunner.query(`CREATE TABLE "${temporary}" (${definition})`);
  await queryRunner.query(`INSERT INTO "${temporary}" (${columns}) SELECT ${columns} FROM "${table}"`);
  await queryRunner.query(`DELETE FROM sqlite_sequence WHERE name = '${temporary}'`);
  await queryRunner.query(`INSERT INTO sqlite_sequence (name, seq) SELECT '${temporary}', seq FROM sqlite_sequence WHERE name = '${table}'`);
  await queryRunner.query(`DROP TABLE "${table}"`);
  await queryRunner.query(`ALTER TABLE "${temporary}" RENAME TO "${table}"`);
  for (const index of indexes) await queryRunner.query(index);
}
