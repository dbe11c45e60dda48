import { readFileSync } from 'node:fs';
import { App, type Stack } from 'aws-cdk-lib';
import { EDGE_REGION, type EnvironmentConfig } from './config/environments.ts';
import {
  applyNagAcknowledgements,
  applyOrganisationAcknowledgements,
} from './compliance/nag-acknowledgements.ts';
import { addComplianceGate } from './compliance/nag-gate.ts';
import { ApplicationStack } from './stacks/application-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { DeliveryStack } from './stacks/delivery-stack.ts';
import { DrDataStack } from './stacks/dr-data-stack.ts';
import { EdgeStack } from './stacks/edge-stack.ts';
import { EdgeWafStack } from './stacks/edge-waf-stack.ts';
import { MailStack } from './stacks/mail-stack.ts';
import { NetworkStack } from './stacks/network-stack.ts';
import { OrganisationStage } from './stacks/organisation-stage.ts';
import { SecurityBaselineStack } from './stacks/security-baseline-stack.ts';
import { StorageStack } from './stacks/storage-stack.ts';

/** Every stack of one environment, by role. */
export interface StorefrontStacks {
  /** Log archive, trail, threat detection, Config, alerts, budgets. */
  readonly securityBaseline: SecurityBaselineStack;
  /** VPC, flow logs, endpoints, security groups. */
  readonly network: NetworkStack;
  /** Private document and log buckets. */
  readonly storage: StorageStack;
  /** Aurora, RDS Proxy, ElastiCache. */
  readonly data: DataStack;
  /** ECR repositories and the GitHub OIDC deploy role. */
  readonly delivery: DeliveryStack;
  /** ECS services (API, web, mail worker), migration and audit tasks, internal ALB, alarms. */
  readonly application: ApplicationStack;
  /** SES identity, configuration set and SMTP sender, in `mail.sesRegion`. */
  readonly mail: MailStack;
  /** us-east-1: WAF web ACL, CloudFront certificate, blocked-requests alarm. */
  readonly edgeWaf: EdgeWafStack;
  /** CloudFront distribution and its private static-assets bucket. */
  readonly edge: EdgeStack;
  /** Aurora Global Database secondary in the second EU region, when configured. */
  readonly drData?: DrDataStack;
}

/** AZ lookups committed in `infra/cdk.context.json`, so synth never needs credentials. */
export function committedContext(): Record<string, unknown> {
  const raw = readFileSync(new URL('../cdk.context.json', import.meta.url), 'utf8');
  return JSON.parse(raw) as Record<string, unknown>;
}

/** CDK feature flags the architecture relies on (the CLI and the tests see the same ones). */
export const FEATURE_FLAGS = {
  // Server access logs are granted through a bucket policy, not the legacy log-delivery ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Keep CloudFormation exports protected: a producer cannot drop an export still in use.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
} as const;

/** Creates the CDK app with the committed context (and the compliance gate unless disabled). */
export function createApp(options: { outdir?: string; complianceGate?: boolean } = {}): App {
  const app = new App({
    outdir: options.outdir,
    context: { ...committedContext(), ...FEATURE_FLAGS },
  });
  if (options.complianceGate ?? true) addComplianceGate(app);
  return app;
}

/** Adds every stack of `config` to `app`, wires them together and records the nag acknowledgements. */
export function addStorefront(app: App, config: EnvironmentConfig): StorefrontStacks {
  const env = { account: config.account, region: config.primaryRegion };
  const prefix = `Storefront-${config.name}`;
  const tags = { project: 'hardened-storefront', environment: config.name };
  const common = { env, config, tags, terminationProtection: true };

  const securityBaseline = new SecurityBaselineStack(app, `${prefix}-SecurityBaseline`, {
    ...common,
    description: 'Log archive, CloudTrail, GuardDuty, Security Hub, Config, alarms, budgets',
  });
  const network = new NetworkStack(app, `${prefix}-Network`, {
    ...common,
    description: 'Three-tier VPC over three AZs, flow logs, endpoints, security groups',
    logArchiveBucket: securityBaseline.logArchiveBucket,
  });
  const storage = new StorageStack(app, `${prefix}-Storage`, {
    ...common,
    description: 'Private buckets: uploads, invoices, ALB/CloudFront/WAF logs',
    accessLogsBucket: securityBaseline.accessLogsBucket,
  });
  const drConfigured = config.database.globalSecondaryRegion !== undefined;
  const data = new DataStack(app, `${prefix}-Data`, {
    ...common,
    // The DR stack's replica of the field-encryption key needs the primary key's ARN.
    crossRegionReferences: drConfigured,
    description: 'Aurora (multi-AZ, KMS, PITR 35 days) behind RDS Proxy; ElastiCache multi-AZ',
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    alertsTopic: securityBaseline.alertsTopic,
  });
  const delivery = new DeliveryStack(app, `${prefix}-Delivery`, {
    ...common,
    description: 'ECR repositories and the GitHub Actions OIDC deploy role',
  });
  const application = new ApplicationStack(app, `${prefix}-Application`, {
    ...common,
    description: 'ECS Fargate API and web services behind an internal ALB',
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    apiRepository: delivery.apiRepository,
    webRepository: delivery.webRepository,
    databaseProxy: data.proxy,
    cacheAuthToken: data.cacheAuthToken,
    cacheEndpoint: data.cacheEndpoint,
    uploadsBucket: storage.uploadsBucket,
    invoicesBucket: storage.invoicesBucket,
    documentsKey: storage.dataKey,
    fieldEncryptionKey: data.fieldEncryptionKey,
    albLogsBucket: storage.albLogsBucket,
    alertAction: securityBaseline.alertAction,
  });

  const mail = new MailStack(app, `${prefix}-Mail`, {
    ...common,
    env: { account: config.account, region: config.mail.sesRegion },
    description: 'SES sender identity (DKIM), TLS-only configuration set, SMTP sender user',
  });

  const maintenance: unknown = app.node.tryGetContext('storefront:maintenance');
  const edgeWaf = new EdgeWafStack(app, `${prefix}-EdgeWaf`, {
    ...common,
    env: { account: config.account, region: EDGE_REGION },
    crossRegionReferences: true,
    description: 'us-east-1 edge only: WAF web ACL (CLOUDFRONT scope), certificate, WAF alarm',
    maintenance: maintenance === 'on',
  });
  const edge = new EdgeStack(app, `${prefix}-Edge`, {
    ...common,
    crossRegionReferences: true,
    description: 'CloudFront (TLS ≥ 1.2, WAF, headers), VPC origin to the ALB, S3 assets via OAC',
    loadBalancer: application.loadBalancer,
    webAclArn: edgeWaf.webAcl.attrArn,
    certificate: edgeWaf.certificate,
    logBucket: storage.cdnLogsBucket,
    accessLogsBucket: securityBaseline.accessLogsBucket,
  });
  // WAF logs go to the EU bucket named from the configuration: create it first.
  edgeWaf.addStackDependency(storage);

  let drData: DrDataStack | undefined;
  const secondaryRegion = config.database.globalSecondaryRegion;
  if (secondaryRegion !== undefined && data.globalClusterIdentifier !== undefined) {
    drData = new DrDataStack(app, `${prefix}-DrData`, {
      ...common,
      env: { account: config.account, region: secondaryRegion },
      crossRegionReferences: true,
      description: 'Aurora Global Database secondary (region loss), isolated VPC, flow logs',
      globalClusterIdentifier: data.globalClusterIdentifier,
      fieldEncryptionKeyArn: data.fieldEncryptionKey.keyArn,
    });
    drData.addStackDependency(data);
  }

  const stacks: StorefrontStacks = {
    securityBaseline,
    network,
    storage,
    data,
    delivery,
    application,
    mail,
    edgeWaf,
    edge,
    drData,
  };
  applyNagAcknowledgements(stacks);
  return stacks;
}

/** Every stack of the storefront, as a list. */
export function allStacks(stacks: StorefrontStacks): Stack[] {
  return Object.values(stacks).filter((s): s is Stack => s !== undefined);
}

/**
 * Adds the organisation stage (SCPs, organisation trail, delegated administrators) of `config`,
 * deployed separately by the management and log-archive accounts. Returns `undefined` in
 * single-account mode, where there is no organisation.
 */
export function addOrganisation(
  app: App,
  config: EnvironmentConfig,
): OrganisationStage | undefined {
  if (config.singleAccount || config.organisation === undefined) return undefined;
  const stage = new OrganisationStage(app, `Organisation-${config.name}`, {
    config,
    organisation: config.organisation,
  });
  applyOrganisationAcknowledgements(stage);
  return stage;
}
