import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DirectMailRunner } from './direct-mail-runner';
import { MailDelivery } from './mail-delivery.service';
import { MailOutbox } from './mail-outbox.service';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailRelay } from './mail-relay.subscriber';
import { MAIL_RUNS_WORKER, MailRuntime } from './mail-runtime';
import { MAIL_TRANSPORT, createMailTransport, type MailTransport } from './mail-transport';
import { MailWorker } from './mail-worker.service';

const PROVIDERS = [
  {
    provide: MAIL_TRANSPORT,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig): MailTransport => createMailTransport(config.mail),
  },
  MailOutboxRepository,
  MailRuntime,
  MailDelivery,
  DirectMailRunner,
  MailRelay,
  MailWorker,
  MailOutbox,
];

/**
 * Transactional email: exports {@link MailOutbox}. Needs `APP_CONFIG`, the TypeORM `DataSource`
 * and `FIELD_CIPHER` from global modules.
 *
 * - `MailModule.forRoot()` in the API: enqueues, and also sends when `MAIL_WORKER=inline`.
 * - `MailModule.forWorkerProcess()` in `cli.js worker`: always sends.
 */
@Module({})
export class MailModule implements OnApplicationShutdown {
  constructor(@Inject(MAIL_TRANSPORT) private readonly transport: MailTransport) {}

  static forRoot(): DynamicModule {
    return {
      module: MailModule,
      providers: [
        ...PROVIDERS,
        {
          provide: MAIL_RUNS_WORKER,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => config.mail.worker === 'inline',
        },
      ],
      exports: [MailOutbox],
    };
  }

  static forWorkerProcess(): DynamicModule {
    return {
      module: MailModule,
      providers: [...PROVIDERS, { provide: MAIL_RUNS_WORKER, useValue: true }],
      exports: [MailOutbox, MailWorker],
    };
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
