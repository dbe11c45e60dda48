import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInCustomer, startIdentityWorld, type IdentityWorld } from './identity-fixture';

let world: IdentityWorld;

beforeAll(async () => {
  world = await startIdentityWorld();
});
afterAll(async () => {
  await world.close();
});

const HOME = {
  fullName: 'Alice Martin',
  line1: '12 rue des Lilas',
  postalCode: '75011',
  city: 'Paris',
  country: 'FR',
  phone: '+33 6 12 34 56 78',
  isDefault: true,
};

async function rowOf(id: string): Promise<Record<string, unknown> | undefined> {
  const rows = await world.t.app
    .get(DataSource)
    .query<Array<Record<string, unknown>>>(`SELECT * FROM customer_addresses WHERE id = $1`, [id]);
  return rows[0];
}

describe('address book', () => {
  it('saves, lists, updates and deletes the caller’s addresses, sealed at rest', async () => {
    const { browser } = await signedInCustomer(world);
    const created = await browser.post('/api/account/addresses', HOME);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ ...HOME, line2: null });
    const raw = await rowOf(created.body.id as string);
    expect(JSON.stringify(raw)).not.toContain('Alice');
    expect(JSON.stringify(raw)).not.toContain('Lilas');
    expect(raw?.country).toBe('FR');

    const office = await browser.post('/api/account/addresses', {
      ...HOME,
      line1: '1 place de la Bourse',
      isDefault: true,
    });
    const list = await browser.get('/api/account/addresses');
    expect(list.body.addresses).toHaveLength(2);
    // One default at a time.
    expect(
      (list.body.addresses as Array<{ id: string; isDefault: boolean }>).filter((a) => a.isDefault),
    ).toEqual([expect.objectContaining({ id: office.body.id })]);

    const updated = await browser.put(`/api/account/addresses/${created.body.id}`, {
      ...HOME,
      city: 'Lyon',
      postalCode: '69001',
      isDefault: false,
    });
    expect(updated.body.city).toBe('Lyon');
    expect((await browser.delete(`/api/account/addresses/${created.body.id}`)).status).toBe(204);
    expect((await browser.get('/api/account/addresses')).body.addresses).toHaveLength(1);
  });

  it('answers 404 for another customer’s address on read, update and delete, and changes nothing', async () => {
    const alice = await signedInCustomer(world);
    const mallory = await signedInCustomer(world);
    const saved = await alice.browser.post('/api/account/addresses', HOME);
    const id = saved.body.id as string;
    const before = await rowOf(id);
    expect((await mallory.browser.get(`/api/account/addresses/${id}`)).status).toBe(404);
    const put = await mallory.browser.put(`/api/account/addresses/${id}`, {
      ...HOME,
      line1: 'Attacker street',
    });
    expect(put.status).toBe(404);
    expect((await mallory.browser.delete(`/api/account/addresses/${id}`)).status).toBe(404);
    expect((await mallory.browser.get('/api/account/addresses')).body.addresses).toEqual([]);
    expect(await rowOf(id)).toEqual(before);
    expect((await alice.browser.get(`/api/account/addresses/${id}`)).body.line1).toBe(HOME.line1);
  });

  it('refuses bad input with 400 (unknown fields, foreign countries, control characters)', async () => {
    const { browser } = await signedInCustomer(world);
    for (const bad of [
      { ...HOME, userId: '00000000-0000-4000-8000-000000000000' },
      { ...HOME, country: 'US' },
      { ...HOME, line1: 'line\nbreak' },
      { ...HOME, postalCode: "75011' OR 1=1" },
    ]) {
      const response = await browser.post('/api/account/addresses', bad);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await browser.get('/api/account/addresses')).body.addresses).toEqual([]);
  });

  it('needs a signed-in customer', async () => {
    expect((await world.browser().get('/api/account/addresses')).status).toBe(401);
  });
});
