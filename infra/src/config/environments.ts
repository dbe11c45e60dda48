/**
 * Per-environment configuration of the reference architecture, in one typed place.
 *
 * Every value that differs between environments (account, regions, sizes, schedules, contacts)
 * lives here; the stacks read nothing else. The values below are documented placeholders
 * (account 111111111111, example.com domain): copy the `production` entry, fill in your own values
 * and select it with `-c storefront:environment=<name>`.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** AWS regions this project is allowed to place workload data in (GDPR: EU only). */
export const EU_REGIONS = [
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
] as const;

/** An EU region the workload may run in. */
export type EuRegion = (typeof EU_REGIONS)[number];

/**
 * The only non-EU region used: CloudFront-scoped WAF web ACLs and CloudFront certificates must be
 * created in us-east-1. It holds edge configuration only, never customer data.
 */
export const EDGE_REGION = 'us-east-1';

/** Relational engine of the Aurora cluster; switching to MySQL is this one value. */
export type DatabaseEngineFamily = 'aurora-postgresql' | 'aurora-mysql';

/** A scheduled scaling window, e.g. a flash sale announced in advance. */
export interface ScheduledScalingWindow {
  /** Name of the scheduled action (unique per service). */
  readonly name: string;
  /** Cron expression (UTC, EventBridge Scheduler syntax) when the window opens. */
  readonly startCron: string;
  /** Cron expression (UTC) when the window closes and the base capacity returns. */
  readonly endCron: string;
  /** Minimum number of tasks while the window is open. */
  readonly minTasks: number;
  /** Maximum number of tasks while the window is open. */
  readonly maxTasks: number;
}

/** Size and scaling of one ECS Fargate service. */
export interface ServiceSizing {
  /** vCPU units of one task (1024 = 1 vCPU). */
  readonly cpu: 256 | 512 | 1024 | 2048 | 4096;
  /** Memory of one task in MiB. */
  readonly memoryMiB: number;
  /** Minimum number of tasks in normal operation: at least one per AZ (3). */
  readonly minTasks: number;
  /** Maximum number of tasks target tracking may reach outside flash sales. */
  readonly maxTasks: number;
  /** Average CPU utilisation (%) target tracking keeps the service at. */
  readonly targetCpuPercent: number;
  /** Requests per task per minute target tracking keeps the service at. */
  readonly targetRequestsPerTask: number;
  /** Announced flash sales: capacity is raised before the traffic arrives. */
  readonly flashSales: readonly ScheduledScalingWindow[];
}

/** The Aurora cluster. */
export interface DatabaseConfig {
  /** Engine family; PostgreSQL by default (see docs/infra.md for why). */
  readonly engine: DatabaseEngineFamily;
  /** Instance class of the writer and readers, e.g. `r7g.large`. */
  readonly instanceType: string;
  /** Number of reader instances (2 gives a writer + 2 readers over 3 AZs). */
  readonly readers: number;
  /** Automated backup retention in days (35 is the maximum and gives 35-day PITR). */
  readonly backupRetentionDays: number;
  /** Rotation period of the database credentials, in days. */
  readonly credentialRotationDays: number;
  /**
   * Optional Aurora Global Database secondary region for region loss. When set, a read-only
   * secondary cluster is deployed there (see docs/infra.md for the RTO/RPO it gives).
   */
  readonly globalSecondaryRegion?: EuRegion;
}

/** The ElastiCache replication group (sessions, rate limits, cache, job queues). */
export interface CacheConfig {
  /** Engine; Valkey is the open-source, cheaper successor of Redis OSS on ElastiCache. */
  readonly engine: 'valkey' | 'redis';
  /** Engine version. */
  readonly engineVersion: string;
  /** Node type, e.g. `cache.r7g.large`. */
  readonly nodeType: string;
  /** Replicas of the primary (2 gives three nodes over three AZs). */
  readonly replicas: number;
}

/** Size of the mail worker service (no load balancer: it scales on CPU only). */
export interface WorkerSizing {
  /** vCPU units of one task (1024 = 1 vCPU). */
  readonly cpu: 256 | 512 | 1024;
  /** Memory of one task in MiB. */
  readonly memoryMiB: number;
  /** Tasks in normal operation: at least two, in two AZs, so one AZ loss does not stop mail. */
  readonly minTasks: number;
  /** Maximum number of tasks CPU target tracking may reach. */
  readonly maxTasks: number;
}

/** Transactional email: Amazon SES (SMTP interface) and the mail worker service that sends. */
export interface MailConfig {
  /**
   * `MAIL_FROM` of the API: the sender of every message, optionally with a display name
   * (`Shop <no-reply@shop.example>`). Its domain becomes the SES identity (DKIM-signed).
   */
  readonly from: string;
  /**
   * EU region of the SES SMTP endpoint. In the primary region the worker reaches it through a
   * VPC interface endpoint (nothing leaves the AWS network on an SMTP port); in another EU region
   * (e.g. eu-west-1 when SES is not offered in the primary one) through the NAT gateways.
   */
  readonly sesRegion: EuRegion;
  /** The mail worker service (`node apps/api/dist/cli.js worker`; the API runs `MAIL_WORKER=off`). */
  readonly worker: WorkerSizing;
}

/** Settings of the organisation stage (only used when `singleAccount` is false). */
export interface OrganisationConfig {
  /** Management account of the AWS Organization. */
  readonly managementAccount: string;
  /** Organization id, e.g. `o-abc123`. */
  readonly organizationId: string;
  /** Account holding the organisation trail and centralised logs. */
  readonly logArchiveAccount: string;
  /** Account delegated as administrator of GuardDuty, Security Hub, Config and Access Analyzer. */
  readonly securityToolingAccount: string;
  /** Organizational units the SCPs are attached to. */
  readonly workloadOrganizationalUnitIds: readonly string[];
}

/** One deployable environment of the storefront. */
export interface EnvironmentConfig {
  /** Short name used in resource names and tags, e.g. `production`. */
  readonly name: string;
  /** AWS account of the workload. */
  readonly account: string;
  /** Primary EU region of the workload. */
  readonly primaryRegion: EuRegion;
  /**
   * Single-account mode: everything (including the security baseline that an organisation would
   * delegate to a security account) is deployed in `account`, and no organisation stage is
   * synthesised. Lets someone without an AWS Organization deploy and review everything.
   */
  readonly singleAccount: boolean;
  /** Public host name of the storefront served by CloudFront, e.g. `shop.example.com`. */
  readonly domainName: string;
  /**
   * Host name CloudFront uses to reach the internal ALB through the VPC origin; the ALB
   * presents a certificate for it so the origin leg is TLS too.
   */
  readonly originDomainName: string;
  /**
   * Id of the AWS-managed prefix list `com.amazonaws.global.cloudfront.origin-facing` in the primary
   * region: the only source the ALB security group admits. Look it up once with
   * `aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`.
   */
  readonly cloudFrontOriginFacingPrefixListId: string;
  /** Staff networks that still reach the site when WAF maintenance mode is on (CIDRs). */
  readonly staffAllowlistCidrs: readonly string[];
  /** Email address receiving security, availability and budget alerts. */
  readonly alertEmail: string;
  /** Monthly cost budget in USD; alerts at 80 % actual and 100 % forecast. */
  readonly monthlyBudgetUsd: number;
  /** GitHub repository allowed to deploy through OIDC (`owner/name`) and its protected environment. */
  readonly github: { readonly repository: string; readonly environment: string };
  /** CPU architecture of the images and Fargate tasks (Graviton is ~20 % cheaper). */
  readonly cpuArchitecture: 'ARM64' | 'X86_64';
  /** Image tags deployed when no CloudFormation parameter overrides them. */
  readonly imageTags: { readonly api: string; readonly web: string };
  /** CIDR of the VPC (a /16 leaves room for three /20 tiers per AZ). */
  readonly vpcCidr: string;
  /** Number of NAT gateways; one per AZ so an AZ loss does not cut egress for the others. */
  readonly natGateways: number;
  /** Days S3 object-lock (compliance mode) keeps every CloudTrail log object immutable. */
  readonly trailObjectLockDays: number;
  /** How long application logs are kept in CloudWatch Logs. */
  readonly logRetention: RetentionDays;
  /** API service sizing. */
  readonly api: ServiceSizing;
  /** Web (server-rendered storefront) service sizing. */
  readonly web: ServiceSizing;
  /** Aurora cluster. */
  readonly database: DatabaseConfig;
  /** ElastiCache replication group. */
  readonly cache: CacheConfig;
  /** The shop's display name (`SHOP_NAME`: TOTP issuer, passkey relying-party name). */
  readonly shopName: string;
  /** Transactional email (SES) and the mail worker. */
  readonly mail: MailConfig;
  /**
   * When the audit trail is verified (`cli.js audit:verify` as a scheduled task), as an
   * EventBridge cron expression in UTC. Daily at the least; an alarm fires after 26 hours
   * without a successful run.
   */
  readonly auditVerifySchedule: string;
  /** Organisation stage settings; required when `singleAccount` is false. */
  readonly organisation?: OrganisationConfig;
}

/** Flash sales announced for the year; the schedule raises capacity 30 minutes before each. */
const FLASH_SALES_API: readonly ScheduledScalingWindow[] = [
  {
    name: 'black-friday',
    startCron: 'cron(30 6 28 11 ? *)',
    endCron: 'cron(0 23 1 12 ? *)',
    minTasks: 12,
    maxTasks: 40,
  },
  {
    name: 'winter-sales',
    startCron: 'cron(30 6 7 1 ? *)',
    endCron: 'cron(0 23 10 1 ? *)',
    minTasks: 9,
    maxTasks: 30,
  },
];

const FLASH_SALES_WEB: readonly ScheduledScalingWindow[] = FLASH_SALES_API.map((w) => ({
  ...w,
  minTasks: Math.ceil(w.minTasks / 2),
  maxTasks: Math.ceil(w.maxTasks / 2),
}));

/** The production environment (placeholders to replace before a real deployment). */
export const PRODUCTION: EnvironmentConfig = {
  name: 'production',
  account: '111111111111',
  primaryRegion: 'eu-west-3',
  singleAccount: true,
  domainName: 'shop.example.com',
  originDomainName: 'origin.shop.example.com',
  cloudFrontOriginFacingPrefixListId: 'pl-0123456789abcdef0',
  staffAllowlistCidrs: ['203.0.113.0/24'],
  alertEmail: 'security-alerts@example.com',
  monthlyBudgetUsd: 6000,
  github: { repository: 'example-org/hardened-storefront', environment: 'production' },
  cpuArchitecture: 'ARM64',
  imageTags: { api: '0.1.0', web: '0.1.0' },
  vpcCidr: '10.40.0.0/16',
  natGateways: 3,
  trailObjectLockDays: 365,
  logRetention: RetentionDays.ONE_YEAR,
  api: {
    cpu: 1024,
    memoryMiB: 2048,
    minTasks: 3,
    maxTasks: 12,
    targetCpuPercent: 50,
    targetRequestsPerTask: 1500,
    flashSales: FLASH_SALES_API,
  },
  web: {
    cpu: 512,
    memoryMiB: 1024,
    minTasks: 3,
    maxTasks: 9,
    targetCpuPercent: 55,
    targetRequestsPerTask: 1500,
    flashSales: FLASH_SALES_WEB,
  },
  database: {
    engine: 'aurora-postgresql',
    instanceType: 'r7g.large',
    readers: 2,
    backupRetentionDays: 35,
    credentialRotationDays: 30,
    globalSecondaryRegion: 'eu-west-1',
  },
  cache: { engine: 'valkey', engineVersion: '8.0', nodeType: 'cache.r7g.large', replicas: 2 },
  shopName: 'Storefront',
  mail: {
    from: 'Storefront <no-reply@shop.example.com>',
    sesRegion: 'eu-west-3',
    worker: { cpu: 256, memoryMiB: 512, minTasks: 2, maxTasks: 6 },
  },
  auditVerifySchedule: 'cron(15 3 * * ? *)',
};

/** The same architecture in an AWS Organization: organisation stage, delegated administrators. */
export const PRODUCTION_ORGANISATION: EnvironmentConfig = {
  ...PRODUCTION,
  name: 'production-org',
  account: '222222222222',
  singleAccount: false,
  organisation: {
    managementAccount: '333333333333',
    organizationId: 'o-exampleorg1',
    logArchiveAccount: '444444444444',
    securityToolingAccount: '555555555555',
    workloadOrganizationalUnitIds: ['ou-exam-workload1'],
  },
};

/** Every environment, by the name given with `-c storefront:environment=<name>`. */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = {
  production: PRODUCTION,
  'production-org': PRODUCTION_ORGANISATION,
};

/** The address part of a `MAIL_FROM` value (`Shop <a@b.example>` → `a@b.example`). */
export function mailFromAddress(from: string): string {
  const match =
    /^(?:[^\r\n<>"@]{1,100} <([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>|([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+))$/.exec(
      from,
    );
  const address = match?.[1] ?? match?.[2];
  if (address === undefined) {
    throw new Error(`mail.from "${from}" is not an address, optionally after a display name`);
  }
  return address;
}

/** The domain of the `MAIL_FROM` address: the SES identity that signs and sends the mail. */
export function mailFromDomain(from: string): string {
  const address = mailFromAddress(from);
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Returns the environment called `name`, after checking the invariants the architecture relies on
 * (EU regions, ≥ 3 tasks, 35-day PITR…). Throws with a message naming the broken value.
 */
export function resolveEnvironment(name: string): EnvironmentConfig {
  const config = ENVIRONMENTS[name];
  if (config === undefined) {
    throw new Error(
      `Unknown environment "${name}"; known: ${Object.keys(ENVIRONMENTS).join(', ')}`,
    );
  }
  validateEnvironment(config);
  return config;
}

/** Checks the invariants of one environment; throws on the first one broken. */
export function validateEnvironment(config: EnvironmentConfig): void {
  const fail = (message: string): never => {
    throw new Error(`Environment "${config.name}": ${message}`);
  };
  if (!/^\d{12}$/.test(config.account)) fail('account must be 12 digits');
  const eu: readonly string[] = EU_REGIONS;
  if (!eu.includes(config.primaryRegion)) fail('primaryRegion must be an EU region');
  const secondary = config.database.globalSecondaryRegion;
  if (secondary !== undefined && (!eu.includes(secondary) || secondary === config.primaryRegion)) {
    fail('database.globalSecondaryRegion must be another EU region');
  }
  for (const [service, sizing] of [
    ['api', config.api],
    ['web', config.web],
  ] as const) {
    if (sizing.minTasks < 3) fail(`${service}.minTasks must be ≥ 3 (one task per AZ)`);
    if (sizing.maxTasks < sizing.minTasks) fail(`${service}.maxTasks must be ≥ minTasks`);
  }
  if (config.database.readers < 2) fail('database.readers must be ≥ 2');
  if (config.database.backupRetentionDays !== 35) fail('database.backupRetentionDays must be 35');
  if (config.cache.replicas < 1) fail('cache.replicas must be ≥ 1 for automatic failover');
  if (config.natGateways < 1) fail('natGateways must be ≥ 1');
  let senderDomain = '';
  try {
    senderDomain = mailFromDomain(config.mail.from);
  } catch (error: unknown) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (senderDomain !== config.domainName && !senderDomain.endsWith(`.${config.domainName}`)) {
    // Links in the mail point to https://domainName; a sender on another domain looks phished.
    fail('mail.from must be an address on domainName (or a subdomain of it)');
  }
  if (!eu.includes(config.mail.sesRegion)) fail('mail.sesRegion must be an EU region');
  if (config.mail.worker.minTasks < 2) fail('mail.worker.minTasks must be ≥ 2 (two AZs)');
  if (config.mail.worker.maxTasks < config.mail.worker.minTasks) {
    fail('mail.worker.maxTasks must be ≥ mail.worker.minTasks');
  }
  if (!/^cron\(.+\)$|^rate\(.+\)$/.test(config.auditVerifySchedule)) {
    fail('auditVerifySchedule must be an EventBridge cron(...) or rate(...) expression');
  }
  if (!config.singleAccount && config.organisation === undefined) {
    fail('organisation settings are required when singleAccount is false');
  }
}
