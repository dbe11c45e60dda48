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
  type LogOnlyEventName,
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
 * is a keyed pseudonym, details follow the event's strict schema. Use {@link report} for
 * log-only events on a refusal path (synchronous, never throws) and {@link emit} for the rest.
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

  /** Validates an event against the catalogue and writes its log line; throws when invalid. */
  private writeLine<N extends SecurityEventName>(
    ctx: AuditContext,
    event: SecurityEventInput<N>,
  ): { target: AuditTarget | null; details: unknown; requestId: string | null } {
    const definition = SECURITY_EVENTS[event.name];
    const actor = AuditActorSchema.parse(ctx.actor);
    const target = event.target ? AuditTargetSchema.parse(event.target) : null;
    const details: unknown = definition.details.parse(event.details);
    const requestId = ctx.requestId ?? currentRequestId() ?? null;
    const line = {
      securityEvent: event.name,
      outcome: definition.outcome,
      actor,
      target,
      client: this.pseudonymiser.pseudonymise(ctx.clientAddress),
      details,
      requestId,
    };
    if (definition.outcome === 'failure') this.logger().warn(line, SECURITY_EVENT_MESSAGE);
    else this.logger().info(line, SECURITY_EVENT_MESSAGE);
    return { target, details, requestId };
  }

  /**
   * Reports an event that is a log line only (denials, failed logins, CSRF refusals…),
   * synchronously and without ever throwing, so a guard can call it on its refusal path without
   * changing the answer. Input that does not match the catalogue is reported as an error line
   * naming the event (never echoing the invalid values).
   */
  report<N extends LogOnlyEventName>(ctx: AuditContext, event: SecurityEventInput<N>): void {
    try {
      this.writeLine(ctx, event);
    } catch {
      this.logger().error(
        { securityEvent: event.name, invalidSecurityEvent: true },
        'security event rejected by its schema',
      );
    }
  }

  /**
   * Reports any event: its log line and, for audited events, its audit row. Invalid input (an
   * actor, target or details that do not match the catalogue) throws before anything is written.
   * Pass the caller's transactional `EntityManager` to commit the audit row with the change; if
   * the audit write fails, an error line is logged and the error is rethrown (the caller fails
   * closed).
   */
  async emit<N extends SecurityEventName>(
    ctx: AuditContext,
    event: SecurityEventInput<N>,
    manager?: EntityManager,
  ): Promise<void> {
    const { target, details, requestId } = this.writeLine(ctx, event);
    const name = event.name;
    if (!isAudited(name)) return;
    try {
      await this.trail.record(
        { ...ctx, requestId },
        { action: name, target, details: details as SecurityEventDetails<typeof name> },
        manager,
      );
    } catch (error) {
      this.logger().error(
        { securityEvent: name, auditWriteFailed: true, err: error },
        'audit trail write failed',
      );
      throw error;
    }
  }
}
