import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuditKeyRing } from './audit-chain';
import { AuditEventsController } from './audit-events.controller';
import { AuditEventsQuery } from './audit-events-query.service';
import { AuditTrail } from './audit-trail.service';
import { ClientPseudonymiser } from './client-pseudonymiser';
import { SecurityEvents } from './security-events.service';

/**
 * The audit trail and security events, available everywhere: inject {@link SecurityEvents} to
 * report an event (log line, plus an audit row for audited events) or {@link AuditTrail} to append
 * a row directly; the chain keys and the client pseudonym key come from the configuration.
 */
@Global()
@Module({
  controllers: [AuditEventsController],
  providers: [
    {
      provide: AuditKeyRing,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new AuditKeyRing(config.audit.hmacKey, config.audit.previousHmacKeys),
    },
    {
      provide: ClientPseudonymiser,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ClientPseudonymiser(config.audit.pseudonymKey),
    },
    AuditTrail,
    AuditEventsQuery,
    SecurityEvents,
  ],
  exports: [AuditTrail, SecurityEvents, ClientPseudonymiser],
})
export class AuditModule {}
