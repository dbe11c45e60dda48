import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CartModule } from './cart/cart.module';
import { CatalogueModule } from './catalogue/catalogue.module';
import { CspReportsModule } from './csp-reports/csp-reports.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { AllExceptionsFilter } from './core/errors/all-exceptions.filter';
import { AccessGuard } from './core/http/access.guard';
import { PublicCacheInterceptor } from './core/http/public-cache.interceptor';
import { PublicResponseCache } from './core/http/public-response-cache.service';
import { ShutdownState } from './core/http/shutdown-state';
import { ZodValidationPipe } from './core/validation/zod-validation.pipe';
import { DatabaseModule } from './database/database.module';
import { AuditModule } from './audit/audit.module';
import { HealthModule } from './health/health.module';
import { EncryptionModule } from './privacy/encryption/encryption.module';
import { CsrfGuard } from './identity/csrf/csrf.guard';
import { IdentityModule } from './identity/identity.module';
import { AppThrottlerGuard } from './rate-limit/app-throttler.guard';
import { MailModule } from './mail/mail.module';
import { OrdersModule } from './orders/orders.module';
import { PaymentsModule } from './payments/payments.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { SessionModule } from './session/session.module';
import { StoreModule } from './store/store.module';

/**
 * The API's root module. Cross-cutting behaviour is global and ordered: rate limiting runs first
 * (so floods are cut before any work), then the CSRF token check, access control, validation, the
 * public cache, and one exception filter at the edge.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, extraImports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EncryptionModule,
        StoreModule,
        RateLimitModule,
        SessionModule,
        HealthModule,
        AuditModule,
        { ...MailModule.forRoot(), global: true },
        CatalogueModule,
        IdentityModule,
        CartModule,
        PaymentsModule.forRoot(config),
        OrdersModule,
        CspReportsModule,
        ...extraImports,
      ],
      providers: [
        PublicResponseCache,
        ShutdownState,
        { provide: APP_GUARD, useClass: AppThrottlerGuard },
        { provide: APP_GUARD, useExisting: CsrfGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: PublicCacheInterceptor },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [PublicResponseCache, ShutdownState],
      global: true,
    };
  }
}
