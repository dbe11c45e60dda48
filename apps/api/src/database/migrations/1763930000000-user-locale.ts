import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The language of an account's emails ('en' or 'fr'): set at registration from the page the
 * customer signed up on, changeable in the profile. Existing accounts keep English.
 */
export class UserLocale1763930000000 implements MigrationInterface {
  name = 'UserLocale1763930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN locale varchar(2) NOT NULL DEFAULT 'en'
          CONSTRAINT users_locale_check CHECK (locale IN ('en', 'fr'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN locale`);
  }
}
