import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Custom fields (issue 18): their definitions, the categories requiring them, ticket values, and the key in history entries. */
export class CustomFields1796100000000 implements MigrationInterface {
  name = 'CustomFields1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "custom_field" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "key" varchar(64) NOT NULL, "title" varchar(200) NOT NULL, "type" varchar(16) NOT NULL, "choices" text NOT NULL, "active" boolean NOT NULL DEFAULT (1), "position" integer NOT NULL DEFAULT (0), "created_at" datetime(3) NOT NULL, CONSTRAINT "UQ_7db5df2c1d8b5bc1d8f9f1d87c7" UNIQUE ("key"))`);
    await queryRunner.query(`CREATE TABLE "custom_field_category" ("field_id" integer NOT NULL, "category_id" integer NOT NULL, CONSTRAINT "FK_475bc0152f48118afe8aee4c994" FOREIGN KEY ("field_id") REFERENCES "custom_field" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_88eba449c8496d211f14a80bc66" FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("field_id", "category_id"))`);
    await queryRunner.query(`CREATE TABLE "ticket_field_value" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "field_id" integer NOT NULL, "value_text" varchar(500), "value_number" double, "value_date" varchar(10), "value_user_id" integer, CONSTRAINT "FK_edc713cd80ebebdeb729c33ac02" FOREIGN KEY ("ticket_id") REFERENCES "ticket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_51e3351a049fde4fc5768632426" FOREIGN KEY ("field_id") REFERENCES "custom_field" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_edb7528177dc2741b894c512c9f" FOREIGN KEY ("value_user_id") REFERENCES "app_user" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
    await queryRunner.query(`CREATE INDEX "IDX_88eba449c8496d211f14a80bc6" ON "custom_field_category" ("category_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_2445d57841716173ef0bb00ed7" ON "ticket_field_value" ("field_id", "value_user_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_dbc5cf3711327e9b7629fb38fa" ON "ticket_field_value" ("field_id", "value_date") `);
    await queryRunner.query(`CREATE INDEX "IDX_043742f973f57b86bbc2167539" ON "ticket_field_value" ("field_id", "value_number") `);
    await queryRunner.query(`CREATE INDEX "IDX_7ea84f9278f02a67ed0839e51a" ON "ticket_field_value" ("field_id", "value_text") `);
    await queryRunner.query(`CREATE INDEX "IDX_6bc28d4787cc81097ddc6363c1" ON "ticket_field_value" ("ticket_id", "field_id") `);
    await queryRunner.query(`ALTER TABLE "ticket_change" ADD COLUMN "custom_field_key" varchar(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_change" DROP COLUMN "custom_field_key"`);
    await queryRunner.query(`DROP TABLE "ticket_field_value"`);
    await queryRunner.query(`DROP TABLE "custom_field_category"`);
    await queryRunner.query(`DROP TABLE "custom_field"`);
  }
}
