import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersRepository } from '../../src/identity/users.repository';
import { signedInCustomer, startIdentityWorld, type IdentityWorld } from './identity-fixture';

let world: IdentityWorld;
let stronger: IdentityWorld;

beforeAll(async () => {
  world = await startIdentityWorld();
  // The same database and keys, with a higher argon2id cost (as after a configuration change).
  stronger = await startIdentityWorld({ PASSWORD_ARGON2_ITERATIONS: '3' });
});
afterAll(async () => {
  await world.close();
  await stronger.close();
});

describe('argon2id parameters changed in the configuration', () => {
  it('re-hashes a password with the new parameters at the next successful sign-in', async () => {
    const { email, password } = await signedInCustomer(world);
    const users = world.t.app.get(UsersRepository);
    const hashOf = async () =>
      (
        await world.t.app
          .get(DataSource)
          .query<Array<{ password_hash: string }>>(
            `SELECT password_hash FROM users WHERE email_index = $1`,
            [users.emailIndexOf(email)],
          )
      )[0]?.password_hash ?? '';
    expect(await hashOf()).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const login = await stronger.browser().post('/api/auth/login', { email, password });
    expect(login.status).toBe(200);
    expect(await hashOf()).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=3\$/);
    // The new hash still verifies, on either instance.
    expect((await world.browser().post('/api/auth/login', { email, password })).status).toBe(200);
  });
});
