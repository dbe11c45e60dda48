import { CreateCatalogue1763700000000 } from './1763700000000-create-catalogue';
import { CreateIdentity1763750000000 } from './1763750000000-create-identity';
import { CreateEncryptionKeys1763800000000 } from './1763800000000-create-encryption-keys';
import { CreateMailOutbox1763810000000 } from './1763810000000-create-mail-outbox';
import { CreateAuditLog1763820000000 } from './1763820000000-create-audit-log';
import { CreateMfaCredentials1763830000000 } from './1763830000000-create-mfa-credentials';
import { CatalogueFacetCounts1763840000000 } from './1763840000000-catalogue-facet-counts';
import { CreateWebauthnCredentials1763860000000 } from './1763860000000-create-webauthn-credentials';
import { CreateCustomerAddresses1763870000000 } from './1763870000000-create-customer-addresses';
import { CreatePaymentEvents1763900000000 } from './1763900000000-create-payment-events';
import { CreateCarts1763910000000 } from './1763910000000-create-carts';
import { CreateOrders1763920000000 } from './1763920000000-create-orders';
import { CreateOrderRefunds1763920000001 } from './1763920000001-create-order-refunds';
import { OrderGuestAccess1763920000002 } from './1763920000002-order-guest-access';
import { UserLocale1763930000000 } from './1763930000000-user-locale';
import { CataloguePriceBandCounts1763940000000 } from './1763940000000-catalogue-price-band-counts';

/** Every migration, in order. Generated or hand-written, each is committed and reviewed. */
export const MIGRATIONS = [
  CreateCatalogue1763700000000,
  CreateIdentity1763750000000,
  CreateEncryptionKeys1763800000000,
  CreateMailOutbox1763810000000,
  CreateAuditLog1763820000000,
  CreateMfaCredentials1763830000000,
  CatalogueFacetCounts1763840000000,
  CreateWebauthnCredentials1763860000000,
  CreateCustomerAddresses1763870000000,
  CreatePaymentEvents1763900000000,
  CreateCarts1763910000000,
  CreateOrders1763920000000,
  CreateOrderRefunds1763920000001,
  OrderGuestAccess1763920000002,
  UserLocale1763930000000,
  CataloguePriceBandCounts1763940000000,
];
