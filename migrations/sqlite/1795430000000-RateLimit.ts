import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-minute cost counters of the rate limiter (used when REDIS_URL is not set). Written by hand: no entity maps it. */
export class RateLimit1795430000000 implements MigrationInterface {
  name = 'RateLimit1795430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rate_limit_window" ("subject" varchar(191) NOT NULL, "window_start" bigint NOT NULL, "points" bigint NOT NULL, PRIMARY KEY ("subject", "window_start"))`);
    await queryRunner.query(`CREATE INDEX "IDX_rate_limit_window_start" ON "rate_limit_window" ("window_start") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_limit_window"`);
  }
}
