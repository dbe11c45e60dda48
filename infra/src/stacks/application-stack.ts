import { allowLogGroupsOfThisAccount } from '../constructs/log-encryption.ts';
import {
  CfnParameter,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Stats,
  TreatMissingData,
  type IAlarmAction,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule as EventSchedule } from 'aws-cdk-lib/aws-events';
import { EcsTask } from 'aws-cdk-lib/aws-events-targets';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import {
  AvailabilityZoneRebalancing,
  Capability,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargatePlatformVersion,
  FargateService,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
  Secret as EcsSecret,
  type ContainerDefinition,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationListener,
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  HttpCodeElb,
  HttpCodeTarget,
  ListenerAction,
  ListenerCondition,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DnsRecordType, PrivateDnsNamespace } from 'aws-cdk-lib/aws-servicediscovery';
import type { IDatabaseProxy } from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, ServiceSizing } from '../config/environments.ts';
import { DATABASE_USERS, FIELD_ENCRYPTION_CONTEXT, databaseUrl } from './data-stack.ts';
import { PORTS, SUBNET_TIERS, sesSmtpHost, type WorkloadSecurityGroups } from './network-stack.ts';

/**
 * Proxy hops in front of the tasks that may set `X-Forwarded-For`: CloudFront and the ALB. The
 * web tasks' server-side calls reach the API with no proxy in between (Cloud Map DNS) and forward
 * the visitor's `X-Forwarded-For` as the ALB wrote it, the web task taking the ALB's place as the
 * API's peer: the same count finds the client on both paths (docs/infra.md).
 */
export const TRUSTED_PROXY_HOPS = 2;

/** Cloud Map name of the API service: its tasks' addresses under `api.<namespace>`. */
export const API_DISCOVERY_NAME = 'api';

/** Private DNS namespace (Route 53 private zone of the VPC) in which the API tasks register. */
export function serviceNamespaceName(config: EnvironmentConfig): string {
  return `${config.name}.storefront.internal`;
}

/** Where the web tasks reach the API privately (`API_URL`): its tasks, directly, over the VPC. */
export function privateApiUrl(config: EnvironmentConfig): string {
  return `http://${API_DISCOVERY_NAME}.${serviceNamespaceName(config)}:${PORTS.api}`;
}

/**
 * Secrets of the API server (`api` role with `MAIL_WORKER=off`): everything its checks ask for
 * but `SMTP_URL` (the worker sends) and `AUDIT_HMAC_PREVIOUS_KEYS` (it signs with the current key
 * only; `audit:verify` checks old rows).
 */
export const API_SERVER_SECRETS = [
  'AUDIT_HMAC_KEY',
  'BLIND_INDEX_KEY',
  'DATABASE_URL',
  'LOG_PSEUDONYM_KEY',
  'REDIS_URL',
  'STRIPE_PUBLISHABLE_KEY',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
] as const;

/** Numeric uid:gid the containers run as (the `node` user of the official Node images). */
export const CONTAINER_USER = '1000:1000';

/** CLI commands of the API image run by the tasks of this stack (`apps/api/dist/cli.js`). */
export const API_COMMANDS = {
  migrate: ['node', 'apps/api/dist/cli.js', 'migrate'],
  mailWorker: ['node', 'apps/api/dist/cli.js', 'worker'],
  auditVerify: ['node', 'apps/api/dist/cli.js', 'audit:verify'],
} as const;

/** Metric namespace of the application's own metrics (log metric filters). */
export const METRIC_NAMESPACE = 'Storefront';

/**
 * Secrets Manager's punctuation minus `+` and `/`: what a generated secret must exclude to be
 * made of the 64 base64 characters only.
 */
const NOT_BASE64_PUNCTUATION = '!"#$%&\'()*,-.:;<=>?@[\\]^_`{|}~';

/** Options of the {@link ApplicationStack}. */
export interface ApplicationStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
  /** The workload VPC. */
  readonly vpc: IVpc;
  /** Security groups of every tier. */
  readonly securityGroups: WorkloadSecurityGroups;
  /** ECR repository of the API image. */
  readonly apiRepository: IRepository;
  /** ECR repository of the web image. */
  readonly webRepository: IRepository;
  /** RDS Proxy the API and the migration task connect to with IAM authentication. */
  readonly databaseProxy: IDatabaseProxy;
  /** AUTH token of the ElastiCache replication group (resolved by CloudFormation into `REDIS_URL`). */
  readonly cacheAuthToken: ISecret;
  /** Primary endpoint `host:port` of the replication group. */
  readonly cacheEndpoint: string;
  /** Bucket of customer uploads (presigned PUT/POST issued by the API). */
  readonly uploadsBucket: IBucket;
  /** Bucket of invoices (presigned GET issued by the API). */
  readonly invoicesBucket: IBucket;
  /** Customer-managed key of the uploads and invoices buckets. */
  readonly documentsKey: IKey;
  /** KEK of field-level encryption (`FIELD_ENCRYPTION_KMS_KEY_ID`). */
  readonly fieldEncryptionKey: IKey;
  /** Bucket receiving the ALB access logs. */
  readonly albLogsBucket: IBucket;
  /** Alarm action notifying the alert topic. */
  readonly alertAction: IAlarmAction;
}

/** One service to run: what differs between the API and the web app. */
interface ServiceSpec {
  readonly name: 'Api' | 'Web';
  readonly repository: IRepository;
  readonly imageTag: string;
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly sizing: ServiceSizing;
  readonly securityGroup: ISecurityGroup;
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, EcsSecret>;
}

/** Environment and secrets of a process started from the API image. */
interface ApiRuntime {
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, EcsSecret>;
}

/**
 * The named secrets of the API image's runtime. Each process is given only the secrets its role
 * of the API's configuration checks (apps/api/src/config/app-config.ts, `ProcessRole`).
 */
function secretsOf(runtime: ApiRuntime, names: readonly string[]): Record<string, EcsSecret> {
  const picked: Record<string, EcsSecret> = {};
  for (const name of names) {
    const secret = runtime.secrets[name];
    if (!secret) throw new Error(`the API runtime has no secret ${name}`);
    picked[name] = secret;
  }
  return picked;
}

/**
 * The application tier: an ECS Fargate cluster running the API and the web app (≥ 3 tasks over
 * three AZs each, target tracking plus scheduled scaling for flash sales, circuit breaker with
 * rollback, read-only root filesystem, non-root user, secrets from Secrets Manager), the mail
 * worker service, a one-off migration task, the daily audit-chain verification with its alarms,
 * and the internal ALB (HTTPS, invalid headers dropped, access logs) that only CloudFront
 * reaches, with alarms on 5xx and latency. The web tasks render pages from the API tasks
 * directly, found through a private Cloud Map DNS namespace.
 */
export class ApplicationStack extends Stack {
  /** The internal ALB, origin of CloudFront's `/api/*` and page behaviours. */
  public readonly loadBalancer: ApplicationLoadBalancer;
  /** The API service. */
  public readonly apiService: FargateService;
  /** Private DNS namespace where the API tasks register as `api` (the web's `API_URL`). */
  public readonly serviceNamespace: PrivateDnsNamespace;
  /** The web service. */
  public readonly webService: FargateService;
  /** Task definition of the one-off migration (`node apps/api/dist/cli.js migrate`). */
  public readonly migrationTaskDefinition: FargateTaskDefinition;
  /** The mail worker service (`node apps/api/dist/cli.js worker`). */
  public readonly mailWorkerService: FargateService;
  /** Task definition of the scheduled `audit:verify`. */
  public readonly auditVerifyTaskDefinition: FargateTaskDefinition;

  private readonly config: EnvironmentConfig;
  private readonly cluster: Cluster;
  private readonly logKey: IKey;
  /** Log group of each container, by container name. */
  private readonly logGroups = new Map<string, LogGroup>();

  /** Creates the cluster, services, ALB and alarms. */
  public constructor(scope: Construct, id: string, props: ApplicationStackProps) {
    super(scope, id, props);
    const { config, vpc, securityGroups } = props;
    this.config = config;
    // Declared up front so grants on keys of those stacks go to this stack's role policies
    // instead of their key policies (which would make the dependency circular).
    for (const producer of [props.databaseProxy, props.uploadsBucket, props.apiRepository, vpc]) {
      this.addStackDependency(Stack.of(producer));
    }

    this.logKey = this.createLogKey(config);
    // Connection secrets of the tasks live here, under this stack's key, so the grants to the
    // execution roles stay inside the stack.
    const connectionSecret = (id: string, description: string, value: string): Secret =>
      new Secret(this, id, {
        description,
        encryptionKey: this.logKey,
        secretStringValue: SecretValue.unsafePlainText(value),
      });
    const family = config.database.engine;
    const proxyEndpoint = props.databaseProxy.endpoint;
    const apiDatabaseUrl = connectionSecret(
      'ApiDatabaseUrl',
      'DATABASE_URL of the API: RDS Proxy with IAM authentication, no password',
      databaseUrl(family, proxyEndpoint, DATABASE_USERS.app),
    );
    const migrationDatabaseUrl = connectionSecret(
      'MigrationDatabaseUrl',
      'MIGRATION_DATABASE_URL of the migration task: RDS Proxy with IAM authentication',
      databaseUrl(family, proxyEndpoint, DATABASE_USERS.migrator),
    );
    const redisUrl = connectionSecret(
      'RedisUrl',
      'REDIS_URL of the API (rediss://, AUTH token resolved at deploy time)',
      `rediss://:${props.cacheAuthToken.secretValue.unsafeUnwrap()}@${props.cacheEndpoint}`,
    );
    this.cluster = new Cluster(this, 'Cluster', {
      vpc,
      clusterName: `storefront-${config.name}`,
      containerInsightsV2: ContainerInsights.ENHANCED,
    });

    const apiTag = new CfnParameter(this, 'ApiImageTag', {
      type: 'String',
      default: config.imageTags.api,
      description: 'Tag of the API image in its ECR repository (immutable tags)',
      allowedPattern: '^[A-Za-z0-9._-]{1,128}$',
    });
    const webTag = new CfnParameter(this, 'WebImageTag', {
      type: 'String',
      default: config.imageTags.web,
      description: 'Tag of the web image in its ECR repository (immutable tags)',
      allowedPattern: '^[A-Za-z0-9._-]{1,128}$',
    });

    const loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetGroupName: SUBNET_TIERS.application },
      securityGroup: securityGroups.alb,
      dropInvalidHeaderFields: true,
      deletionProtection: true,
      idleTimeout: Duration.seconds(60),
    });
    loadBalancer.logAccessLogs(props.albLogsBucket, 'alb');
    this.loadBalancer = loadBalancer;

    const certificate = new Certificate(this, 'OriginCertificate', {
      domainName: config.originDomainName,
      validation: CertificateValidation.fromDns(),
    });
    const listener = loadBalancer.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      port: PORTS.alb,
      open: false,
      certificates: [certificate],
      sslPolicy: SslPolicy.TLS13_RES,
      defaultAction: ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'Not found',
      }),
    });

    const common = {
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      TRUST_PROXY_HOPS: String(TRUSTED_PROXY_HOPS),
      LOG_LEVEL: 'info',
    };
    // The shop's one public origin: the API's CSRF allowlist and the web's page-form gate.
    const origin = `https://${config.domainName}`;
    const runtime = this.apiRuntime(config, props, { apiDatabaseUrl, redisUrl }, origin);
    this.apiService = this.createService(listener, 20, ['/api/*'], {
      name: 'Api',
      repository: props.apiRepository,
      imageTag: apiTag.valueAsString,
      port: PORTS.api,
      livenessPath: '/api/health/live',
      readinessPath: '/api/health/ready',
      sizing: config.api,
      securityGroup: securityGroups.api,
      environment: {
        ...common,
        ...runtime.environment,
        PORT: String(PORTS.api),
        UPLOADS_BUCKET: props.uploadsBucket.bucketName,
        INVOICES_BUCKET: props.invoicesBucket.bucketName,
      },
      secrets: secretsOf(runtime, API_SERVER_SECRETS),
    });
    // The web tasks find the API tasks by DNS (A records of the running, healthy tasks, short
    // TTL) and call them directly: no proxy rewrites X-Forwarded-For on the way (docs/infra.md).
    this.serviceNamespace = new PrivateDnsNamespace(this, 'ServiceNamespace', {
      name: serviceNamespaceName(config),
      vpc,
      description: 'Private names of the storefront services (web tasks to API tasks)',
    });
    this.apiService.enableCloudMap({
      cloudMapNamespace: this.serviceNamespace,
      name: API_DISCOVERY_NAME,
      dnsRecordType: DnsRecordType.A,
      dnsTtl: Duration.seconds(10),
    });
    const apiRole = this.apiService.taskDefinition.taskRole;
    props.databaseProxy.grantConnect(apiRole, DATABASE_USERS.app);
    // Least privilege for presigned URLs: the API signs PUT/GET on uploads/incoming/ and on
    // invoices, nothing else (no list, no delete, no bucket configuration).
    apiRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PresignUploadsAndInvoices',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [
          props.uploadsBucket.arnForObjects('incoming/*'),
          props.invoicesBucket.arnForObjects('*'),
        ],
      }),
    );
    apiRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'UseDocumentKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.documentsKey.keyArn],
      }),
    );
    // Seals personal data (new data keys) and opens it (unwraps them); key rotation and
    // re-encryption (`keys:rotate`, `keys:reencrypt`) run as one-off tasks of this definition.
    grantFieldEncryption(apiRole, props.fieldEncryptionKey, ['kms:GenerateDataKey', 'kms:Decrypt']);

    this.webService = this.createService(listener, 100, ['/*'], {
      name: 'Web',
      repository: props.webRepository,
      imageTag: webTag.valueAsString,
      port: PORTS.web,
      livenessPath: '/healthz',
      readinessPath: '/healthz',
      sizing: config.web,
      securityGroup: securityGroups.web,
      environment: {
        ...common,
        PORT: String(PORTS.web),
        // Server-side rendering calls the API tasks privately (security group: web → API port).
        API_URL: privateApiUrl(config),
        // apps/web/server.mjs refuses to start in production without it (page-form CSRF gate).
        PUBLIC_ORIGINS: origin,
      },
      secrets: {},
    });

    const apiImage = ContainerImage.fromEcrRepository(props.apiRepository, apiTag.valueAsString);
    // The migration task is checked by the API's loader only on the database (`migrate` role):
    // it holds the connection URLs and no other secret; it is granted nothing but its user.
    this.migrationTaskDefinition = this.createCommandTask('Migration', apiImage, {
      command: [...API_COMMANDS.migrate],
      environment: runtime.environment,
      secrets: {
        ...secretsOf(runtime, ['DATABASE_URL']),
        MIGRATION_DATABASE_URL: EcsSecret.fromSecretsManager(migrationDatabaseUrl),
      },
    });
    props.databaseProxy.grantConnect(
      this.migrationTaskDefinition.taskRole,
      DATABASE_USERS.migrator,
    );

    this.mailWorkerService = this.createMailWorker(apiImage, runtime, securityGroups);
    const workerRole = this.mailWorkerService.taskDefinition.taskRole;
    props.databaseProxy.grantConnect(workerRole, DATABASE_USERS.app);
    // The worker only opens sealed recipients and parameters: unwrap, never generate.
    grantFieldEncryption(workerRole, props.fieldEncryptionKey, ['kms:Decrypt']);

    this.auditVerifyTaskDefinition = this.createAuditVerification(
      apiImage,
      runtime,
      securityGroups,
      props.alertAction,
    );
    // Reading the chain needs the runtime (DML, read here) user only; no KMS, no Redis, no SMTP.
    props.databaseProxy.grantConnect(this.auditVerifyTaskDefinition.taskRole, DATABASE_USERS.app);

    this.createAlarms(loadBalancer, props.alertAction);
  }

  /**
   * The production configuration every process of the API image loads (`loadConfig` refuses to
   * start without it, whichever command runs): non-secret values as plain environment, secrets
   * from Secrets Manager under this stack's key. Generated where nobody needs to know the value
   * (audit chain, log pseudonyms, blind index); `SMTP_URL` is written once by an operator, because
   * SES SMTP passwords cannot be derived by CloudFormation (docs/infra.md). Each process receives
   * only the secrets of its role ({@link secretsOf}).
   */
  private apiRuntime(
    config: EnvironmentConfig,
    props: ApplicationStackProps,
    connection: { apiDatabaseUrl: ISecret; redisUrl: ISecret },
    origin: string,
  ): ApiRuntime {
    const generated = (id: string, description: string): Secret =>
      new Secret(this, id, {
        description,
        encryptionKey: this.logKey,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
    const auditHmacKey = generated(
      'AuditHmacKey',
      'AUDIT_HMAC_KEY: HMAC key of the audit trail hash chain (rotation: docs/runbooks/audit-verify.md)',
    );
    // Retired chain keys, for audit:verify only. An operator writes them during a rotation; until
    // then it holds one random key nobody knows (no row is signed with it, so it verifies
    // nothing): Secrets Manager needs a value, and a public placeholder would let anyone forge
    // rows that verify.
    const auditHmacPreviousKeys = generated(
      'AuditHmacPreviousKeys',
      'AUDIT_HMAC_PREVIOUS_KEYS: retired audit chain keys, comma-separated, written by an operator during a rotation (docs/runbooks/audit-verify.md); starts as one unused random key',
    );
    const logPseudonymKey = generated(
      'LogPseudonymKey',
      'LOG_PSEUDONYM_KEY: HMAC key pseudonymising client addresses in security logs',
    );
    // BLIND_INDEX_KEY must be 32 bytes in padded base64 (44 characters ending in "="). Secrets
    // Manager generates 43 characters of the base64 alphabet (256 random bits once decoded); the
    // derived secret appends the padding through a dynamic reference, so the template holds none.
    const blindIndexSeed = new Secret(this, 'BlindIndexKeySeed', {
      description: 'Random source of BLIND_INDEX_KEY (43 base64 characters); read by nothing else',
      encryptionKey: this.logKey,
      generateSecretString: {
        passwordLength: 43,
        excludeCharacters: NOT_BASE64_PUNCTUATION,
        includeSpace: false,
        requireEachIncludedType: false,
      },
    });
    const blindIndexKey = new Secret(this, 'BlindIndexKey', {
      description:
        'BLIND_INDEX_KEY: HMAC key of the email blind index (rotation: docs/runbooks/key-rotation.md)',
      encryptionKey: this.logKey,
      secretStringValue: SecretValue.unsafePlainText(
        `${blindIndexSeed.secretValue.unsafeUnwrap()}=`,
      ),
    });
    const smtpUrl = new Secret(this, 'SmtpUrl', {
      description:
        'SMTP_URL: smtps://<SES SMTP user>:<SES SMTP password>@host:465, written by an operator (docs/infra.md)',
      encryptionKey: this.logKey,
      // A syntactically valid URL without credentials, so the services start before the operator
      // writes the real one (before the shop sends mail: SES refuses this one). Changing this
      // value would make CloudFormation overwrite the operator's.
      secretStringValue: SecretValue.unsafePlainText(
        `smtps://set-by-operator@${sesSmtpHost(config.mail.sesRegion)}:${PORTS.smtp}`,
      ),
    });

    // Stripe keys are written by an operator from the Stripe dashboard (docs/infra.md). Until then
    // the placeholders satisfy the API's format checks and Stripe refuses them, so no payment can
    // be taken by mistake. Changing a placeholder would make CloudFormation overwrite the real key.
    const operatorWritten = (id: string, description: string, placeholder: string): Secret =>
      new Secret(this, id, {
        description,
        encryptionKey: this.logKey,
        secretStringValue: SecretValue.unsafePlainText(placeholder),
      });
    const stripeSecretKey = operatorWritten(
      'StripeSecretKey',
      'STRIPE_SECRET_KEY: a live restricted key (rk_live_…) with PaymentIntents and Refunds write, written by an operator',
      'rk_live_setbyoperator00000000000000',
    );
    const stripeWebhookSecret = operatorWritten(
      'StripeWebhookSecret',
      'STRIPE_WEBHOOK_SECRET: signing secret (whsec_…) of the /api/payments/stripe/webhook endpoint, written by an operator',
      'whsec_setbyoperator00000000000000',
    );
    const stripePublishableKey = operatorWritten(
      'StripePublishableKey',
      'STRIPE_PUBLISHABLE_KEY: the live publishable key (pk_live_…) given to the web app, written by an operator',
      'pk_live_setbyoperator00000000000000',
    );

    return {
      environment: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        AWS_REGION: this.region,
        // The API enqueues and the worker consumes the same BullMQ queue: one prefix for both.
        REDIS_KEY_PREFIX: `storefront:${config.name}:`,
        // IAM authentication tokens through RDS Proxy, over TLS verified against the public roots
        // (the proxy presents an Amazon Trust Services certificate).
        DATABASE_AUTH: 'iam',
        DATABASE_SSL: 'verify-full',
        SHOP_NAME: config.shopName,
        PUBLIC_ORIGINS: origin,
        PUBLIC_BASE_URL: origin,
        WEBAUTHN_RP_ID: config.domainName,
        WEBAUTHN_RP_NAME: config.shopName,
        MAIL_TRANSPORT: 'smtp',
        SMTP_TLS: 'required',
        MAIL_FROM: config.mail.from,
        // The mail worker service sends; API tasks only write the outbox and enqueue.
        MAIL_WORKER: 'off',
        FIELD_ENCRYPTION_PROVIDER: 'kms',
        FIELD_ENCRYPTION_KMS_KEY_ID: props.fieldEncryptionKey.keyArn,
        PAYMENT_PROVIDER: 'stripe',
      },
      secrets: {
        STRIPE_SECRET_KEY: EcsSecret.fromSecretsManager(stripeSecretKey),
        STRIPE_WEBHOOK_SECRET: EcsSecret.fromSecretsManager(stripeWebhookSecret),
        STRIPE_PUBLISHABLE_KEY: EcsSecret.fromSecretsManager(stripePublishableKey),
        DATABASE_URL: EcsSecret.fromSecretsManager(connection.apiDatabaseUrl),
        REDIS_URL: EcsSecret.fromSecretsManager(connection.redisUrl),
        SMTP_URL: EcsSecret.fromSecretsManager(smtpUrl),
        AUDIT_HMAC_KEY: EcsSecret.fromSecretsManager(auditHmacKey),
        AUDIT_HMAC_PREVIOUS_KEYS: EcsSecret.fromSecretsManager(auditHmacPreviousKeys),
        LOG_PSEUDONYM_KEY: EcsSecret.fromSecretsManager(logPseudonymKey),
        BLIND_INDEX_KEY: EcsSecret.fromSecretsManager(blindIndexKey),
      },
    };
  }

  /**
   * The mail worker as its own service: it scales with the mail backlog rather than with web
   * traffic, is the only task that can open an SMTP connection, and a stuck SMTP server never
   * ties up API capacity. Spread over two AZs at least; no load balancer (it serves nothing).
   */
  private createMailWorker(
    image: ContainerImage,
    runtime: ApiRuntime,
    securityGroups: WorkloadSecurityGroups,
  ): FargateService {
    const sizing = this.config.mail.worker;
    const definition = this.taskDefinition('MailWorker', sizing);
    this.container(definition, 'MailWorker', image, {
      command: [...API_COMMANDS.mailWorker],
      environment: runtime.environment,
      // `mail-worker` role: the database, Redis and SMTP; no audit, blind-index or Stripe keys.
      secrets: secretsOf(runtime, ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL']),
    });
    const service = new FargateService(this, 'MailWorkerService', {
      cluster: this.cluster,
      serviceName: `storefront-${this.config.name}-mail-worker`,
      taskDefinition: definition,
      desiredCount: sizing.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetGroupName: SUBNET_TIERS.application },
      securityGroups: [securityGroups.mailWorker],
      assignPublicIp: false,
      platformVersion: FargatePlatformVersion.LATEST,
      availabilityZoneRebalancing: AvailabilityZoneRebalancing.ENABLED,
      enableExecuteCommand: false,
    });
    service
      .autoScaleTaskCount({ minCapacity: sizing.minTasks, maxCapacity: sizing.maxTasks })
      .scaleOnCpuUtilization('CpuTracking', {
        targetUtilizationPercent: 60,
        scaleOutCooldown: Duration.seconds(60),
        scaleInCooldown: Duration.minutes(5),
      });
    return service;
  }

  /**
   * `audit:verify` every day (docs/runbooks/audit-verify.md), with two alarms: the chain is
   * broken (the command printed `audit:verify FAILED`), and no run succeeded for 26 hours (the
   * task did not start, could not connect, or the schedule stopped). The printed heads stay in
   * the task's log group, where the database owner cannot rewrite them.
   */
  private createAuditVerification(
    image: ContainerImage,
    runtime: ApiRuntime,
    securityGroups: WorkloadSecurityGroups,
    alertAction: IAlarmAction,
  ): FargateTaskDefinition {
    const definition = this.createCommandTask('AuditVerify', image, {
      command: [...API_COMMANDS.auditVerify],
      environment: runtime.environment,
      // `audit-verify` role: the database and the chain keys (current and retired) only.
      secrets: secretsOf(runtime, ['DATABASE_URL', 'AUDIT_HMAC_KEY', 'AUDIT_HMAC_PREVIOUS_KEYS']),
    });
    new Rule(this, 'AuditVerifySchedule', {
      description: 'Daily verification of the audit trail hash chain',
      schedule: EventSchedule.expression(this.config.auditVerifySchedule),
      targets: [
        new EcsTask({
          cluster: this.cluster,
          taskDefinition: definition,
          taskCount: 1,
          subnetSelection: { subnetGroupName: SUBNET_TIERS.application },
          securityGroups: [securityGroups.auditVerify],
          assignPublicIp: false,
          platformVersion: FargatePlatformVersion.LATEST,
          retryAttempts: 3,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    const logGroup = this.logGroups.get('AuditVerify');
    if (logGroup === undefined) throw new Error('the AuditVerify container has no log group');
    const metric = (id: string, metricName: string, pattern: string) =>
      new MetricFilter(this, id, {
        logGroup,
        filterPattern: FilterPattern.literal(pattern),
        metricNamespace: METRIC_NAMESPACE,
        metricName,
        metricValue: '1',
      }).metric({ statistic: Stats.SUM, period: Duration.hours(1) });
    const broken = metric(
      'AuditChainBrokenFilter',
      `AuditChainBroken-${this.config.name}`,
      '"audit:verify FAILED"',
    );
    const verified = metric(
      'AuditChainVerifiedFilter',
      `AuditChainVerified-${this.config.name}`,
      '"audit:verify ok"',
    );
    const alarms = [
      new Alarm(this, 'AuditChainBrokenAlarm', {
        alarmDescription:
          'audit:verify found the audit trail hash chain broken: security incident, follow docs/runbooks/audit-verify.md',
        metric: broken,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'AuditVerifyMissingAlarm', {
        alarmDescription:
          'No successful audit:verify for 26 hours: the scheduled task failed to start or to run (see its logs)',
        metric: verified,
        threshold: 1,
        evaluationPeriods: 26,
        datapointsToAlarm: 26,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(alertAction);
    return definition;
  }

  private createLogKey(config: EnvironmentConfig): IKey {
    const key = new Key(this, 'AppKey', {
      alias: `alias/storefront-${config.name}-application`,
      description: 'Encrypts the application log groups and the secrets of the tasks',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupsOfThisAccount(key);
    return key;
  }

  private taskDefinition(
    name: string,
    sizing: { cpu: number; memoryMiB: number },
  ): FargateTaskDefinition {
    const definition = new FargateTaskDefinition(this, `${name}TaskDefinition`, {
      family: `storefront-${this.config.name}-${name.toLowerCase()}`,
      cpu: sizing.cpu,
      memoryLimitMiB: sizing.memoryMiB,
      runtimePlatform: {
        cpuArchitecture:
          this.config.cpuArchitecture === 'ARM64' ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    // The root filesystem is read-only: /tmp is the only writable path (task ephemeral storage).
    definition.addVolume({ name: 'tmp' });
    return definition;
  }

  private container(
    definition: FargateTaskDefinition,
    name: string,
    image: ContainerImage,
    options: {
      environment: Record<string, string>;
      secrets: Record<string, EcsSecret>;
      command?: string[];
      port?: number;
      livenessPath?: string;
    },
  ): ContainerDefinition {
    const logGroup = new LogGroup(this, `${name}Logs`, {
      encryptionKey: this.logKey,
      retention: this.config.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroups.set(name, logGroup);
    const linuxParameters = new LinuxParameters(this, `${name}LinuxParameters`, {
      initProcessEnabled: true,
    });
    linuxParameters.dropCapabilities(Capability.ALL);
    const container = definition.addContainer(name, {
      image,
      command: options.command,
      essential: true,
      readonlyRootFilesystem: true,
      user: CONTAINER_USER,
      privileged: false,
      environment: options.environment,
      secrets: options.secrets,
      logging: LogDrivers.awsLogs({ streamPrefix: name.toLowerCase(), logGroup }),
      portMappings: options.port === undefined ? [] : [{ containerPort: options.port }],
      stopTimeout: Duration.seconds(30),
      linuxParameters,
      healthCheck:
        options.livenessPath === undefined || options.port === undefined
          ? undefined
          : {
              // Node is in the image; curl/wget are not.
              command: [
                'CMD',
                'node',
                '-e',
                `fetch('http://127.0.0.1:${options.port}${options.livenessPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
              ],
              interval: Duration.seconds(15),
              timeout: Duration.seconds(5),
              retries: 3,
              startPeriod: Duration.seconds(30),
            },
    });
    container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
    return container;
  }

  private createService(
    listener: ApplicationListener,
    priority: number,
    paths: string[],
    spec: ServiceSpec,
  ): FargateService {
    const definition = this.taskDefinition(spec.name, spec.sizing);
    this.container(
      definition,
      spec.name,
      ContainerImage.fromEcrRepository(spec.repository, spec.imageTag),
      {
        environment: spec.environment,
        secrets: spec.secrets,
        port: spec.port,
        livenessPath: spec.livenessPath,
      },
    );
    const service = new FargateService(this, `${spec.name}Service`, {
      cluster: this.cluster,
      serviceName: `storefront-${this.config.name}-${spec.name.toLowerCase()}`,
      taskDefinition: definition,
      desiredCount: spec.sizing.minTasks,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetGroupName: SUBNET_TIERS.application },
      securityGroups: [spec.securityGroup],
      assignPublicIp: false,
      platformVersion: FargatePlatformVersion.LATEST,
      availabilityZoneRebalancing: AvailabilityZoneRebalancing.ENABLED,
      enableExecuteCommand: false,
      healthCheckGracePeriod: Duration.seconds(60),
    });

    const targetGroup = new ApplicationTargetGroup(this, `${spec.name}Targets`, {
      vpc: this.cluster.vpc,
      port: spec.port,
      protocol: ApplicationProtocol.HTTP,
      targetType: TargetType.IP,
      targets: [service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: spec.readinessPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    listener.addTargetGroups(`${spec.name}Route`, {
      priority,
      conditions: [ListenerCondition.pathPatterns(paths)],
      targetGroups: [targetGroup],
    });

    const scaling = service.autoScaleTaskCount({
      minCapacity: spec.sizing.minTasks,
      maxCapacity: spec.sizing.maxTasks,
    });
    scaling.scaleOnCpuUtilization('CpuTracking', {
      targetUtilizationPercent: spec.sizing.targetCpuPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
    scaling.scaleOnRequestCount('RequestTracking', {
      requestsPerTarget: spec.sizing.targetRequestsPerTask,
      targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
    for (const sale of spec.sizing.flashSales) {
      scaling.scaleOnSchedule(`${sale.name}-open`, {
        schedule: Schedule.expression(sale.startCron),
        minCapacity: sale.minTasks,
        maxCapacity: sale.maxTasks,
      });
      scaling.scaleOnSchedule(`${sale.name}-close`, {
        schedule: Schedule.expression(sale.endCron),
        minCapacity: spec.sizing.minTasks,
        maxCapacity: spec.sizing.maxTasks,
      });
    }
    return service;
  }

  /** A task definition that runs one CLI command of the API image and exits. */
  private createCommandTask(
    name: string,
    image: ContainerImage,
    options: {
      command: string[];
      environment: Record<string, string>;
      secrets: Record<string, EcsSecret>;
    },
  ): FargateTaskDefinition {
    const definition = this.taskDefinition(name, { cpu: 512, memoryMiB: 1024 });
    this.container(definition, name, image, options);
    return definition;
  }

  private createAlarms(loadBalancer: ApplicationLoadBalancer, action: IAlarmAction): void {
    const metrics = loadBalancer.metrics;
    const fiveXx = new MathExpression({
      expression: 'elb + targets',
      usingMetrics: {
        elb: metrics.httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, { period: Duration.minutes(1) }),
        targets: metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
          period: Duration.minutes(1),
        }),
      },
      label: 'ALB and target 5xx',
      period: Duration.minutes(1),
    });
    const alarms = [
      new Alarm(this, 'Http5xxAlarm', {
        alarmDescription: 'More than 50 5xx responses a minute for 3 minutes',
        metric: fiveXx,
        threshold: 50,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'LatencyP99Alarm', {
        alarmDescription: 'p99 target response time above 1.5 s for 5 minutes',
        metric: metrics.targetResponseTime({
          statistic: Stats.percentile(99),
          period: Duration.minutes(1),
        }),
        threshold: 1.5,
        evaluationPeriods: 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
  }
}

/**
 * Lets `role` use the field-encryption key for `actions` only when the request carries exactly the
 * encryption context of a field data key (`purpose` = the field-encryption purpose, plus `keyId`),
 * as `AwsKmsKeyProvider` sends it: the role cannot use the key for anything else.
 */
function grantFieldEncryption(
  role: IRole,
  key: IKey,
  actions: ('kms:GenerateDataKey' | 'kms:Decrypt')[],
): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'UseFieldEncryptionKey',
      actions,
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:EncryptionContext:purpose': FIELD_ENCRYPTION_CONTEXT.purpose },
        'ForAllValues:StringEquals': {
          'kms:EncryptionContextKeys': [...FIELD_ENCRYPTION_CONTEXT.keys],
        },
        Null: { 'kms:EncryptionContext:keyId': 'false' },
      },
    }),
  );
}
