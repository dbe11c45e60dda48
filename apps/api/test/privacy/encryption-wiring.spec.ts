import { EnvelopeFieldCipher, HmacBlindIndex } from '@storefront/crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLIND_INDEX,
  FIELD_CIPHER,
  type BlindIndex,
  type FieldCipher,
} from '../../src/privacy/encryption/field-cipher';
import { collectSealedColumns } from '../../src/privacy/encryption/sealed-column';
import { startTestApp, type TestApp } from '../support/test-app';

describe('field encryption in the running application', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('provides FIELD_CIPHER and BLIND_INDEX to every context (global module)', async () => {
    const cipher = t.app.get<FieldCipher>(FIELD_CIPHER);
    const index = t.app.get<BlindIndex>(BLIND_INDEX);
    expect(cipher).toBeInstanceOf(EnvelopeFieldCipher);
    expect(index).toBeInstanceOf(HmacBlindIndex);
    const context = {
      table: 'users',
      column: 'email',
      rowId: '00000000-0000-4000-8000-000000000001',
    };
    expect(await cipher.decrypt(await cipher.encrypt('ada@example.com', context), context)).toBe(
      'ada@example.com',
    );
  });

  it('registers only sealed columns that exist in the schema, with a primary key to walk', async () => {
    const db = t.app.get(DataSource);
    for (const sealed of collectSealedColumns(db)) {
      const found = await db.query<{ data_type: string }[]>(
        `SELECT data_type FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1 AND column_name = ANY($2)`,
        [sealed.table, [sealed.column, sealed.idColumn]],
      );
      expect(found, `${sealed.table}.${sealed.column}`).toHaveLength(2);
    }
  });
});
