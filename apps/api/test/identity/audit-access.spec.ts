import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInStaff, startIdentityWorld, type IdentityWorld } from './identity-fixture';

let world: IdentityWorld;

beforeAll(async () => {
  world = await startIdentityWorld();
});
afterAll(async () => {
  await world.close();
});

describe('audit trail access (audit:read)', () => {
  it('lets an administrator read the role change it made, with no personal data in the event', async () => {
    const admin = await signedInStaff(world, ['administrator']);
    const member = await signedInStaff(world, ['support']);
    await admin.browser.put(`/api/admin/staff/${member.id}/roles`, { roles: ['order-manager'] });
    const page = await admin.browser.get(
      `/api/admin/audit-events?action=staff.role.changed&targetType=user&targetId=${member.id}`,
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({
      action: 'staff.role.changed',
      actor: { type: 'staff', id: admin.id },
      target: { type: 'user', id: member.id },
      details: { added: ['order-manager'], removed: ['support'] },
    });
    expect(JSON.stringify(page.body)).not.toContain(member.email);
  });

  it('refuses staff without audit:read with 403', async () => {
    const support = await signedInStaff(world, ['order-manager']);
    const response = await support.browser.get('/api/admin/audit-events');
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('FORBIDDEN');
  });
});
