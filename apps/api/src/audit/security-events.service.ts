import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { currentRequestId } from '../core/http/request-context';
import { createLogger } from '../core/logging/logger';
import {
  AuditActorSchema,
  AuditTargetSchema,
  type AuditContext,
  type AuditTarget,
} from './audit-context';
import { AuditTrail } from './audit-trail.service';
import { ClientPseudonymiser } from './client-pseudonymiser';
import {
  SECURITY_EVENTS,
  type AuditedEventName,
  type SecurityEventDetails,
  type SecurityEventName,
} from './security-event.catalogue';

/** A security event to report: its catalogue name, what it is about, and its details. */
export interface SecurityEventInput<N extends SecurityEventName = SecurityEventName> {
  name: N;
  target?: AuditTarget | null;
  details: SecurityEventDetails<N>;
}

/** The message of every security event line (filter on `securityEvent` for the name). */
export const SECURITY_EVENT_MESSAGE = 'security event';

function isAudited(name: SecurityEventName): name is AuditedEventName {
  return SECURITY_EVENTS[name].audit;
}

/**
 * Reports security events: one structured JSON log line per event
 * (`{"securityEvent":"auth.login.failed","outcome":"failure","actor":…,"target":…,"client":…,
 * "details":…,"requestId":…}`), at `warn` for failures and `info` for successes, and — for events
 * the catalogue marks `audit` — a row of the hash-chained audit trail as well.
 *
 * Lines are newline-safe (JSON-encoded by pino, every string already matched against an
 * identifier pattern) and carry no personal data: actors and targets are ids, the client address
 * is a keyed pseudonym, details follow the event's strict schema. Log-only events are written
 * synchronously, so a synchronous caller (a guard) can fire and forget them.
 */
@Injectable()
export class SecurityEvents {
  private fallbackLogger: Logger | undefined;

  constructor(
    @Inject(AuditTrail) private readonly trail: AuditTrail,
    @Inject(ClientPseudonymiser) private readonly pseudonymiser: ClientPseudonymiser,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The application's logger (the one Fastify was given), or a stdout logger outside HTTP. */
  private logger(): Logger {
    const adapter = this.adapterHost.httpAdapter as { getInstance?: () => unknown } | undefined;
    const instance = adapter?.getInstance?.() as FastifyInstance | undefined;
    if (instance?.log) return instance.log as unknown as Logger;
    this.fallbackLogger ??= createLogger(this.config.log.level);
    return this.fallbackLogger;
  }

  /**
   * Reports one event. Invalid input (an actor, target or details that do not match the
   * catalogue) throws before anything is written. For audited events, pass the caller's
   * transactional `EntityManager` to commit the audit row with the change; if the audit write
   * fails, an error line is logged and the error is rethrown (the caller fails closed).
   */
  async emit<N extends SecurityEventName>(
    ctx: AuditContext,
    event: SecurityEventInput<N>,
    manager?: EntityManager,
  ): Promise<void> {
    const definition = SECURITY_EVENTS[event.name];
    const actor = AuditActorSchema.parse(ctx.actor);
    const target = event.target ? AuditTargetSchema.parse(event.target) : null;
    const details = definition.details.parse(event.details);
    const requestId = ctx.requestId ?? currentRequestId() ?? null;
    const logger = this.logger();
    const line = {
      securityEvent: event.name,
      outcome: definition.outcome,
      actor,
      target,
      client: this.pseudonymiser.pseudonymise(ctx.clientAddress),
      details,
      requestId,
    };
    if (definition.outcome === 'failure') logger.warn(line, SECURITY_EVENT_MESSAGE);
    else logger.info(line, SECURITY_EVENT_MESSAGE);

    const name = event.name;
    if (!isAudited(name)) return;
    try {
      await this.trail.record(
        { ...ctx, requestId },
        { action: name, target, details: details as SecurityEventDetails<typeof name> },
        manager,
      );
    } catch (error) {
      logger.error(
        { securityEvent: name, auditWriteFailed: true, err: error },
        'audit trail write failed',
      );
      throw error;
    }
  }
}
