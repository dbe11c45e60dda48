/**
 * One test per control of the reference architecture, asserted on the synthesized templates of
 * the production environment. The app is synthesised once (behind the cdk-nag gate, so reaching
 * the assertions at all proves the gate passed) and the templates are shared.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addStorefront, allStacks, createApp, type StorefrontStacks } from '../src/app.ts';
import { EDGE_REGION, EU_REGIONS, PRODUCTION } from '../src/config/environments.ts';
import {
  API_COMMANDS,
  API_DISCOVERY_NAME,
  METRIC_NAMESPACE,
  TRUSTED_PROXY_HOPS,
} from '../src/stacks/application-stack.ts';
import { FIELD_ENCRYPTION_CONTEXT } from '../src/stacks/data-stack.ts';
import { PORTS } from '../src/stacks/network-stack.ts';
import {
  apiConfigModule,
  deployedEnvironment,
  type ApiConfigModule,
} from './support/api-config-contract.ts';
import {
  asArray,
  asRecord,
  props,
  referencedId,
  refersTo,
  resourcesAcross,
  resourcesOf,
  single,
  type NamedTemplate,
} from './support/templates.ts';

let stacks: StorefrontStacks;
let templates: NamedTemplate[];
const byRole = {} as Record<keyof StorefrontStacks, Template>;

beforeAll(() => {
  const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'storefront-architecture-')) });
  stacks = addStorefront(app, PRODUCTION);
  app.synth();
  for (const [role, stack] of Object.entries(stacks) as [keyof StorefrontStacks, Stack][]) {
    byRole[role] = Template.fromStack(stack);
  }
  templates = allStacks(stacks).map((stack) => ({
    stackName: stack.stackName,
    template: Template.fromStack(stack),
  }));
});

/** Environment variables and secrets of every container definition of a template. */
function containers(template: Template): Record<string, unknown>[] {
  return resourcesOf(template, 'AWS::ECS::TaskDefinition').flatMap(([, resource]) =>
    asArray(props(resource).ContainerDefinitions).map(asRecord),
  );
}

/** The container called `name` of the application stack. */
function container(name: string): Record<string, unknown> {
  const found = containers(byRole.application).find((c) => c.Name === name);
  if (found === undefined) throw new Error(`no container ${name}`);
  return found;
}

/** Plain environment of a container, by variable name (values may be CloudFormation tokens). */
function environmentOf(name: string): Record<string, unknown> {
  return Object.fromEntries(
    asArray(container(name).Environment).map((v): [string, unknown] => [
      String(asRecord(v).Name),
      asRecord(v).Value,
    ]),
  );
}

/** Names of the Secrets Manager secrets injected into a container. */
function secretNamesOf(name: string): string[] {
  return asArray(container(name).Secrets)
    .map((s) => String(asRecord(s).Name))
    .sort();
}

/** Statements of the identity policies attached to the role with logical id prefix `rolePrefix`. */
function roleStatements(template: Template, rolePrefix: string): Record<string, unknown>[] {
  const [roleId] = single(template, 'AWS::IAM::Role', rolePrefix);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => asArray(props(policy).Roles).some((r) => refersTo(r, roleId)))
    .flatMap(([, policy]) => asArray(asRecord(props(policy).PolicyDocument).Statement))
    .map(asRecord);
}

/** Every action a statement allows, as a list. */
function actionsOf(statement: Record<string, unknown>): string[] {
  return typeof statement.Action === 'string'
    ? [statement.Action]
    : asArray(statement.Action).map(String);
}

/**
 * The secrets of the API server: what its production configuration checks with `MAIL_WORKER=off`
 * (no `SMTP_URL`: the worker sends; no `AUDIT_HMAC_PREVIOUS_KEYS`: only `audit:verify` reads old rows).
 */
const API_SECRETS = [
  'AUDIT_HMAC_KEY',
  'BLIND_INDEX_KEY',
  'DATABASE_URL',
  'LOG_PSEUDONYM_KEY',
  'REDIS_URL',
  'STRIPE_PUBLISHABLE_KEY',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
];

/** Secrets only other processes of the API image hold. */
const OTHER_SECRETS = ['AUDIT_HMAC_PREVIOUS_KEYS', 'MIGRATION_DATABASE_URL', 'SMTP_URL'];

describe('placement', () => {
  it('puts every workload stack in an allowed EU region with an explicit account', () => {
    const eu: readonly string[] = EU_REGIONS;
    for (const stack of allStacks(stacks)) {
      expect(stack.account).toBe(PRODUCTION.account);
      expect(stack.region === EDGE_REGION || eu.includes(stack.region), stack.stackName).toBe(true);
    }
    expect(allStacks(stacks).filter((s) => s.region !== EDGE_REGION).length).toBeGreaterThan(0);
  });

  it('keeps only edge resources in us-east-1 (WAF, certificate, its alarm), never data', () => {
    const edgeTypes = new Set([
      'AWS::WAFv2::WebACL',
      'AWS::WAFv2::IPSet',
      'AWS::WAFv2::LoggingConfiguration',
      'AWS::CertificateManager::Certificate',
      'AWS::CloudWatch::Alarm',
      'AWS::SNS::Topic',
      'AWS::SNS::TopicPolicy',
      'AWS::SNS::Subscription',
      'AWS::KMS::Key',
      'AWS::KMS::Alias',
      // CDK's cross-region export writer (an SSM parameter per exported ARN).
      'Custom::CrossRegionExportWriter',
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
    ]);
    const usEast1 = allStacks(stacks).filter((s) => s.region === EDGE_REGION);
    expect(usEast1.map((s) => s.stackName)).toEqual([stacks.edgeWaf.stackName]);
    const resources = Object.entries(
      byRole.edgeWaf.toJSON().Resources as Record<string, { Type: string }>,
    );
    for (const [logicalId, resource] of resources) {
      expect(edgeTypes.has(resource.Type), `${logicalId} ${resource.Type}`).toBe(true);
      if (['AWS::IAM::Role', 'AWS::Lambda::Function'].includes(resource.Type)) {
        expect(logicalId).toMatch(/^CustomCrossRegionExportWriter/);
      }
    }
  });
});

describe('S3', () => {
  it('blocks public access on every bucket, all four settings', () => {
    const buckets = resourcesAcross(templates, 'AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(7);
    for (const { logicalId, resource } of buckets) {
      expect(props(resource).PublicAccessBlockConfiguration, logicalId).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('denies every non-TLS request (and TLS < 1.2) on every bucket', () => {
    for (const { template } of templates) {
      const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
      for (const [bucketId] of resourcesOf(template, 'AWS::S3::Bucket')) {
        const statements = policies
          .filter(([, policy]) => refersTo(props(policy).Bucket, bucketId))
          .flatMap(([, policy]) => asArray(asRecord(props(policy).PolicyDocument).Statement))
          .map(asRecord);
        const denies = statements.filter((s) => s.Effect === 'Deny');
        expect(
          denies.some(
            (s) => asRecord(asRecord(s.Condition).Bool)['aws:SecureTransport'] === 'false',
          ),
          `${bucketId} denies aws:SecureTransport=false`,
        ).toBe(true);
        expect(
          denies.some(
            (s) => asRecord(asRecord(s.Condition).NumericLessThan)['s3:TlsVersion'] === 1.2,
          ),
          `${bucketId} denies TLS < 1.2`,
        ).toBe(true);
      }
    }
  });

  it('versions and encrypts every bucket, and logs access to every bucket but the log target', () => {
    const buckets = resourcesAcross(templates, 'AWS::S3::Bucket');
    const withoutLogging = buckets.filter(
      ({ resource }) => props(resource).LoggingConfiguration === undefined,
    );
    expect(withoutLogging.map((b) => b.logicalId)).toEqual([
      expect.stringMatching(/^AccessLogsBucket/),
    ]);
    for (const { logicalId, resource } of buckets) {
      expect(asRecord(props(resource).VersioningConfiguration).Status, logicalId).toBe('Enabled');
      expect(
        asArray(asRecord(props(resource).BucketEncryption).ServerSideEncryptionConfiguration),
        logicalId,
      ).toHaveLength(1);
    }
  });

  it('encrypts the document buckets (uploads, invoices, WAF logs) with the customer-managed key', () => {
    const storage = byRole.storage;
    for (const [logicalId, resource] of resourcesOf(storage, 'AWS::S3::Bucket')) {
      if (!/^(Uploads|Invoices|WafLogs)/.test(logicalId)) continue;
      const rule = asRecord(
        asArray(asRecord(props(resource).BucketEncryption).ServerSideEncryptionConfiguration)[0],
      );
      const sse = asRecord(rule.ServerSideEncryptionByDefault);
      expect(sse.SSEAlgorithm, logicalId).toBe('aws:kms');
      expect(referencedId(sse.KMSMasterKeyID), logicalId).toMatch(/^DataKey/);
    }
  });

  it('refuses presigned URLs older than ten minutes on uploads and invoices', () => {
    const statements = resourcesOf(byRole.storage, 'AWS::S3::BucketPolicy')
      .filter(([, policy]) => /Uploads|Invoices/.test(String(referencedId(props(policy).Bucket))))
      .map(([, policy]) => asArray(asRecord(props(policy).PolicyDocument).Statement).map(asRecord));
    expect(statements).toHaveLength(2);
    for (const list of statements) {
      const deny = list.find((s) => s.Sid === 'DenyStalePresignedUrls');
      expect(deny?.Effect).toBe('Deny');
      expect(asRecord(asRecord(deny?.Condition).NumericGreaterThan)['s3:signatureAge']).toBe(
        600000,
      );
    }
  });

  it('keeps the log archive (trail, flow logs, Config) Object-Locked in compliance mode', () => {
    const properties = props(single(byRole.securityBaseline, 'AWS::S3::Bucket', 'LogArchive')[1]);
    expect(properties.ObjectLockEnabled).toBe(true);
    expect(asRecord(properties.ObjectLockConfiguration)).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: PRODUCTION.trailObjectLockDays } },
    });
  });
});

describe('network', () => {
  it('spreads public, application and isolated data subnets over three AZs', () => {
    const subnets = resourcesOf(byRole.network, 'AWS::EC2::Subnet').map(([, r]) => props(r));
    expect(subnets).toHaveLength(9);
    expect(new Set(subnets.map((s) => s.AvailabilityZone))).toEqual(
      new Set(['eu-west-3a', 'eu-west-3b', 'eu-west-3c']),
    );
    expect(subnets.every((s) => s.MapPublicIpOnLaunch === false)).toBe(true);
  });

  it('gives the isolated data tier no route out of the VPC', () => {
    const network = byRole.network;
    const dataTables = resourcesOf(network, 'AWS::EC2::RouteTable')
      .filter(([id]) => id.startsWith('Vpcdata'))
      .map(([id]) => id);
    expect(dataTables).toHaveLength(3);
    const routes = resourcesOf(network, 'AWS::EC2::Route').filter(([, r]) =>
      dataTables.some((table) => refersTo(props(r).RouteTableId, table)),
    );
    expect(routes).toEqual([]);
  });

  it('runs one NAT gateway per AZ so an AZ loss does not cut egress elsewhere', () => {
    byRole.network.resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  it('records flow logs of all traffic into the log archive', () => {
    byRole.network.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
    });
  });

  it('reaches ECR, Secrets Manager, KMS, logs and STS through VPC endpoints', () => {
    const services = resourcesOf(byRole.network, 'AWS::EC2::VPCEndpoint').map(([, r]) =>
      JSON.stringify(props(r).ServiceName),
    );
    for (const service of [
      'ecr.api',
      'ecr.dkr',
      'secretsmanager',
      'logs',
      'kms',
      'sts',
      's3',
      'email-smtp',
    ]) {
      expect(
        services.some((name) => name.includes(`.${service}`)),
        service,
      ).toBe(true);
    }
  });

  it('never admits 0.0.0.0/0 or ::/0 in any security group', () => {
    const ingress = [
      ...resourcesAcross(templates, 'AWS::EC2::SecurityGroup').flatMap(({ resource }) =>
        asArray(props(resource).SecurityGroupIngress).map(asRecord),
      ),
      ...resourcesAcross(templates, 'AWS::EC2::SecurityGroupIngress').map(({ resource }) =>
        props(resource),
      ),
    ];
    expect(ingress.length).toBeGreaterThan(5);
    for (const rule of ingress) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
    }
  });

  it('admits the ALB only from the CloudFront origin-facing prefix list, on 443', () => {
    const [albId, alb] = single(byRole.network, 'AWS::EC2::SecurityGroup', 'AlbSecurityGroup');
    const ingress = [
      ...asArray(props(alb).SecurityGroupIngress).map(asRecord),
      ...resourcesAcross(templates, 'AWS::EC2::SecurityGroupIngress')
        .map(({ resource }) => props(resource))
        .filter((rule) => refersTo(rule.GroupId, albId)),
    ];
    expect(ingress).toEqual([
      expect.objectContaining({
        SourcePrefixListId: PRODUCTION.cloudFrontOriginFacingPrefixListId,
        FromPort: 443,
        ToPort: 443,
        IpProtocol: 'tcp',
      }),
    ]);
  });
});

describe('Aurora', () => {
  it('runs a writer and two readers, encrypted with the customer-managed key', () => {
    const data = byRole.data;
    data.resourceCountIs('AWS::RDS::DBInstance', 3);
    const cluster = props(single(data, 'AWS::RDS::DBCluster')[1]);
    expect(cluster.StorageEncrypted).toBe(true);
    expect(referencedId(cluster.KmsKeyId)).toMatch(/^DataKey/);
    expect(resourcesOf(data, 'AWS::KMS::Key').map(([id]) => id)).toContain(
      referencedId(cluster.KmsKeyId),
    );
  });

  it('spans the three data subnets (multi-AZ)', () => {
    const [, group] = single(byRole.data, 'AWS::RDS::DBSubnetGroup');
    expect(asArray(props(group).SubnetIds)).toHaveLength(3);
  });

  it('has deletion protection, 35-day PITR, IAM auth and exported logs', () => {
    byRole.data.hasResourceProperties('AWS::RDS::DBCluster', {
      DeletionProtection: true,
      BackupRetentionPeriod: 35,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql'],
    });
  });

  it('requires TLS (rds.force_ssl) at the cluster and at the proxy, with IAM auth end to end', () => {
    byRole.data.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' },
    });
    byRole.data.hasResourceProperties('AWS::RDS::DBProxy', {
      RequireTLS: true,
      DefaultAuthScheme: 'IAM_AUTH',
    });
  });

  it('logs every schema change (tampering with the audit trail’s trigger leaves a trace)', () => {
    byRole.data.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ log_statement: 'ddl' }),
    });
  });

  it('rotates the admin secret automatically', () => {
    byRole.data.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: {
        ScheduleExpression: `rate(${PRODUCTION.database.credentialRotationDays} days)`,
      },
    });
  });

  it('sends failover events to the alert topic', () => {
    byRole.data.hasResourceProperties('AWS::RDS::EventSubscription', {
      SourceType: 'db-cluster',
      EventCategories: Match.arrayWith(['failover']),
    });
  });
});

describe('ElastiCache', () => {
  it('is multi-AZ with automatic failover over three nodes', () => {
    byRole.data.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      NumNodeGroups: 1,
      ReplicasPerNodeGroup: 2,
    });
  });

  it('requires TLS, encrypts at rest with the customer key and requires AUTH from Secrets Manager', () => {
    const [, group] = single(byRole.data, 'AWS::ElastiCache::ReplicationGroup');
    const p = props(group);
    expect(p.TransitEncryptionEnabled).toBe(true);
    expect(p.TransitEncryptionMode).toBe('required');
    expect(p.AtRestEncryptionEnabled).toBe(true);
    expect(referencedId(p.KmsKeyId)).toMatch(/^DataKey/);
    expect(JSON.stringify(p.AuthToken)).toContain('{{resolve:secretsmanager:');
  });
});

describe('ECS', () => {
  it('runs every container with a read-only root filesystem as a non-root user', () => {
    const all = containers(byRole.application);
    expect(all.map((c) => c.Name).sort()).toEqual([
      'Api',
      'AuditVerify',
      'MailWorker',
      'Migration',
      'Web',
    ]);
    for (const container of all) {
      expect(container.ReadonlyRootFilesystem, String(container.Name)).toBe(true);
      expect(container.User).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(container.Privileged).toBe(false);
      expect(asArray(asRecord(asRecord(container.LinuxParameters).Capabilities).Drop)).toEqual([
        'ALL',
      ]);
    }
  });

  it('injects every secret from Secrets Manager and none through plain environment', () => {
    const secretNames = [...API_SECRETS, ...OTHER_SECRETS];
    const all = containers(byRole.application);
    const injected = new Set(
      all.flatMap((c) => asArray(c.Secrets).map((s) => String(asRecord(s).Name))),
    );
    expect([...injected].sort()).toEqual([...secretNames].sort());
    for (const container of all) {
      for (const secret of asArray(container.Secrets).map(asRecord)) {
        // A reference to a secret of this stack, never a value.
        expect(referencedId(secret.ValueFrom), String(secret.Name)).toBeDefined();
      }
      for (const variable of asArray(container.Environment).map(asRecord)) {
        expect(secretNames).not.toContain(variable.Name);
        expect(String(variable.Name)).not.toMatch(/SECRET|PASSWORD|TOKEN|PRIVATE|_KEY$|KEK/);
        expect(JSON.stringify(variable.Value)).not.toMatch(
          /resolve:secretsmanager|rediss?:\/\/|postgres|smtps?:\/\//,
        );
      }
    }
  });

  it('gives every process of the API image the same settings, and only the secrets its role uses', () => {
    const api = environmentOf('Api');
    expect(api).toMatchObject({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '3333',
      TRUST_PROXY_HOPS: String(TRUSTED_PROXY_HOPS),
      PUBLIC_ORIGINS: `https://${PRODUCTION.domainName}`,
      PUBLIC_BASE_URL: `https://${PRODUCTION.domainName}`,
      WEBAUTHN_RP_ID: PRODUCTION.domainName,
      MAIL_FROM: PRODUCTION.mail.from,
      MAIL_TRANSPORT: 'smtp',
      SMTP_TLS: 'required',
      MAIL_WORKER: 'off',
      FIELD_ENCRYPTION_PROVIDER: 'kms',
    });
    expect(TRUSTED_PROXY_HOPS).toBe(2);
    for (const name of ['Api', 'MailWorker', 'Migration', 'AuditVerify']) {
      const environment = environmentOf(name);
      // Same queue prefix, origins and keys everywhere: the worker consumes what the API enqueues.
      for (const variable of [
        'REDIS_KEY_PREFIX',
        'PUBLIC_ORIGINS',
        'WEBAUTHN_RP_ID',
        'MAIL_FROM',
        'FIELD_ENCRYPTION_KMS_KEY_ID',
      ]) {
        expect(environment[variable], `${name} ${variable}`).toEqual(api[variable]);
      }
    }
    // Secrets, though, only where the process's role uses them (least privilege).
    expect(secretNamesOf('Api')).toEqual(API_SECRETS);
    // The API only enqueues mail (MAIL_WORKER=off): the SES credentials are the worker's alone.
    expect(secretNamesOf('Api')).not.toContain('SMTP_URL');
    expect(secretNamesOf('MailWorker')).toEqual(['DATABASE_URL', 'REDIS_URL', 'SMTP_URL']);
    expect(secretNamesOf('Migration')).toEqual(['DATABASE_URL', 'MIGRATION_DATABASE_URL']);
    // Retired chain keys: for the verification of old rows, which only audit:verify does.
    expect(secretNamesOf('AuditVerify')).toEqual([
      'AUDIT_HMAC_KEY',
      'AUDIT_HMAC_PREVIOUS_KEYS',
      'DATABASE_URL',
    ]);
    expect(secretNamesOf('Api')).not.toContain('AUDIT_HMAC_PREVIOUS_KEYS');
    expect(secretNamesOf('Web')).toEqual([]);
  });

  it('runs a one-off migration task with its own database URL', () => {
    expect(container('Migration').Command).toEqual([...API_COMMANDS.migrate]);
    expect(secretNamesOf('Migration')).toContain('MIGRATION_DATABASE_URL');
    expect(secretNamesOf('Api')).not.toContain('MIGRATION_DATABASE_URL');
  });

  it('keeps ≥ 3 API and web tasks over the three application subnets, with rollback', () => {
    const services = resourcesOf(byRole.application, 'AWS::ECS::Service').map(([, r]) => props(r));
    expect(services.map((s) => s.ServiceName).sort()).toEqual([
      `storefront-${PRODUCTION.name}-api`,
      `storefront-${PRODUCTION.name}-mail-worker`,
      `storefront-${PRODUCTION.name}-web`,
    ]);
    for (const service of services) {
      const minimum = String(service.ServiceName).endsWith('mail-worker') ? 2 : 3;
      expect(service.DesiredCount as number).toBeGreaterThanOrEqual(minimum);
      expect(asRecord(service.DeploymentConfiguration).DeploymentCircuitBreaker).toEqual({
        Enable: true,
        Rollback: true,
      });
      const network = asRecord(asRecord(service.NetworkConfiguration).AwsvpcConfiguration);
      expect(asArray(network.Subnets)).toHaveLength(3);
      expect(network.AssignPublicIp).toBe('DISABLED');
    }
  });

  it('scales on CPU and requests, and on a schedule for flash sales', () => {
    const application = byRole.application;
    const targets = resourcesOf(application, 'AWS::ApplicationAutoScaling::ScalableTarget').map(
      ([, r]) => props(r),
    );
    expect(targets).toHaveLength(3);
    const web = targets.filter((t) => asArray(t.ScheduledActions).length > 0);
    expect(web).toHaveLength(2);
    for (const target of targets) {
      expect(target.MinCapacity as number).toBeGreaterThanOrEqual(PRODUCTION.mail.worker.minTasks);
    }
    for (const target of web) {
      expect(target.MinCapacity as number).toBeGreaterThanOrEqual(3);
      const actions = asArray(target.ScheduledActions).map(asRecord);
      expect(actions.length).toBe(PRODUCTION.api.flashSales.length * 2);
    }
    const metrics = resourcesOf(application, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
      ([, r]) =>
        asRecord(
          asRecord(props(r).TargetTrackingScalingPolicyConfiguration).PredefinedMetricSpecification,
        ).PredefinedMetricType,
    );
    expect(metrics.sort()).toEqual([
      'ALBRequestCountPerTarget',
      'ALBRequestCountPerTarget',
      'ECSServiceAverageCPUUtilization',
      'ECSServiceAverageCPUUtilization',
      'ECSServiceAverageCPUUtilization',
    ]);
  });
});

describe("the API's production configuration", () => {
  let api: ApiConfigModule;
  beforeAll(async () => {
    api = await apiConfigModule();
  });
  // Each container runs one command of the API image, checked as that command's role.
  const processes = [
    ['Api', 'api'],
    ['MailWorker', 'mail-worker'],
    ['Migration', 'migrate'],
    ['AuditVerify', 'audit-verify'],
  ] as const;

  it.each(processes)('is accepted by the API loader for the %s container (%s)', (name, role) => {
    const config = api.loadConfig(deployedEnvironment(byRole.application, name), role);
    expect(config.isProduction).toBe(true);
    expect(config.fieldEncryption.provider.kind).toBe('kms');
    // The API server sends no mail (the worker does) and holds no transport.
    expect(config.mail.transport).toMatchObject(
      name === 'Api' ? { kind: 'none' } : { kind: 'smtp', tls: 'required' },
    );
    expect(config.mail.worker).toBe('off');
    expect(config.mail.from).toBe(PRODUCTION.mail.from);
    expect(config.mail.publicBaseUrl).toBe(`https://${PRODUCTION.domainName}`);
    expect(config.identity.publicOrigins).toEqual([`https://${PRODUCTION.domainName}`]);
    expect(config.identity.webauthn).toMatchObject({
      rpId: PRODUCTION.domainName,
      origins: [`https://${PRODUCTION.domainName}`],
    });
    expect(config.payments.provider).toBe('stripe');
  });

  it('would catch a variable the API requires going missing (the check has teeth)', () => {
    const environment = deployedEnvironment(byRole.application, 'Api');
    for (const variable of ['PUBLIC_ORIGINS', 'BLIND_INDEX_KEY', 'FIELD_ENCRYPTION_KMS_KEY_ID']) {
      const { [variable]: _removed, ...without } = environment;
      expect(() => api.loadConfig(without), variable).toThrow(new RegExp(variable));
    }
    // The worker, which sends, still needs its SMTP credentials.
    const { SMTP_URL: _smtp, ...worker } = deployedEnvironment(byRole.application, 'MailWorker');
    expect(() => api.loadConfig(worker, 'mail-worker')).toThrow(/SMTP_URL/);
  });

  it('gives audit:verify the retired chain keys as keys it can check (not a public value)', () => {
    const config = api.loadConfig(
      deployedEnvironment(byRole.application, 'AuditVerify'),
      'audit-verify',
    );
    expect(config.audit.previousHmacKeys).toHaveLength(1);
    expect(config.audit.previousHmacKeys[0]).not.toBe(config.audit.hmacKey);
  });
});

describe('web tasks to API tasks (server-side rendering)', () => {
  /** Every ingress rule of the group `logicalIdPrefix` of the network stack, inline or separate. */
  const rulesOf = (kind: 'Ingress' | 'Egress', prefix: string): Record<string, unknown>[] => {
    const [groupId, group] = single(byRole.network, 'AWS::EC2::SecurityGroup', prefix);
    return [
      ...asArray(props(group)[`SecurityGroup${kind}`]).map(asRecord),
      ...resourcesOf(byRole.network, `AWS::EC2::SecurityGroup${kind}`)
        .map(([, r]) => props(r))
        .filter((rule) => refersTo(rule.GroupId, groupId)),
    ];
  };
  const groupId = (prefix: string): string =>
    single(byRole.network, 'AWS::EC2::SecurityGroup', prefix)[0];

  it('points the web container at the API tasks’ private name and gives it the shop origin', () => {
    const [namespaceId, namespace] = single(
      byRole.application,
      'AWS::ServiceDiscovery::PrivateDnsNamespace',
    );
    const zone = String(props(namespace).Name);
    const web = environmentOf('Web');
    expect(web.API_URL).toBe(`http://${API_DISCOVERY_NAME}.${zone}:${PORTS.api}`);
    // Same origin as the API's CSRF allowlist (apps/web/server.mjs refuses production without).
    expect(web.PUBLIC_ORIGINS).toBe(`https://${PRODUCTION.domainName}`);
    expect(web.PUBLIC_ORIGINS).toEqual(environmentOf('Api').PUBLIC_ORIGINS);
    expect(web.NODE_ENV).toBe('production');
    // The name is the API service's Cloud Map service: A records of its tasks in that namespace.
    const [discoveryId, discovery] = single(byRole.application, 'AWS::ServiceDiscovery::Service');
    expect(props(discovery).Name).toBe(API_DISCOVERY_NAME);
    expect(refersTo(props(discovery).NamespaceId, namespaceId)).toBe(true);
    expect(asRecord(props(discovery).DnsConfig).DnsRecords).toEqual([{ TTL: 10, Type: 'A' }]);
    expect(props(discovery).HealthCheckCustomConfig).toBeDefined();
    const serviceNamed = (suffix: string) =>
      resourcesOf(byRole.application, 'AWS::ECS::Service')
        .map(([, r]) => props(r))
        .find((service) => service.ServiceName === `storefront-${PRODUCTION.name}-${suffix}`);
    const registries = asArray(serviceNamed('api')?.ServiceRegistries).map(asRecord);
    expect(registries).toHaveLength(1);
    expect(refersTo(registries[0]?.RegistryArn, discoveryId)).toBe(true);
    // No proxy on the way (no Service Connect sidecar on either side): X-Forwarded-For reaches
    // the API as the web task received it from the ALB (TRUST_PROXY_HOPS, docs/infra.md).
    for (const suffix of ['api', 'web']) {
      expect(serviceNamed(suffix)?.ServiceConnectConfiguration, suffix).toBeUndefined();
    }
  });

  it('admits the web tasks to the API on the API port only, and nothing else but the ALB', () => {
    const sources = rulesOf('Ingress', 'ApiSecurityGroup').map((rule) => ({
      from: referencedId(rule.SourceSecurityGroupId),
      protocol: rule.IpProtocol,
      ports: [rule.FromPort, rule.ToPort],
    }));
    expect(sources).toHaveLength(2);
    expect(sources).toEqual(
      expect.arrayContaining([
        { from: groupId('AlbSecurityGroup'), protocol: 'tcp', ports: [PORTS.api, PORTS.api] },
        { from: groupId('WebSecurityGroup'), protocol: 'tcp', ports: [PORTS.api, PORTS.api] },
      ]),
    );
    const toApi = rulesOf('Egress', 'WebSecurityGroup').filter(
      (rule) => referencedId(rule.DestinationSecurityGroupId) === groupId('ApiSecurityGroup'),
    );
    expect(toApi).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: PORTS.api, ToPort: PORTS.api }),
    ]);
  });
});

describe('mail', () => {
  it('sends from a separate worker service while the API only enqueues', () => {
    expect(container('MailWorker').Command).toEqual([...API_COMMANDS.mailWorker]);
    expect(environmentOf('Api').MAIL_WORKER).toBe('off');
    // Its own log group, not the API's.
    const logGroupOf = (name: string): unknown =>
      asRecord(asRecord(container(name).LogConfiguration).Options)['awslogs-group'];
    expect(referencedId(logGroupOf('MailWorker'))).toMatch(/^MailWorkerLogs/);
    expect(logGroupOf('MailWorker')).not.toEqual(logGroupOf('Api'));
    // The worker runs in its own security group: the only one allowed to reach SMTP (below).
    const groupsOf = (serviceName: string): string =>
      JSON.stringify(
        resourcesOf(byRole.application, 'AWS::ECS::Service')
          .map(([, r]) => props(r))
          .find((service) => service.ServiceName === serviceName)?.NetworkConfiguration,
      );
    expect(groupsOf(`storefront-${PRODUCTION.name}-mail-worker`)).toMatch(
      /MailWorkerSecurityGroup/,
    );
    expect(groupsOf(`storefront-${PRODUCTION.name}-api`)).not.toMatch(/MailWorkerSecurityGroup/);
  });

  it('lets only the mail worker open SMTP connections, to the SES VPC endpoint', () => {
    const network = byRole.network;
    const [workerId] = single(network, 'AWS::EC2::SecurityGroup', 'MailWorkerSecurityGroup');
    const [endpointSgId] = single(network, 'AWS::EC2::SecurityGroup', 'SmtpEndpointSecurityGroup');
    const egress: Record<string, unknown>[] = [
      ...resourcesAcross(templates, 'AWS::EC2::SecurityGroup').flatMap(({ logicalId, resource }) =>
        asArray(props(resource).SecurityGroupEgress).map((rule) => ({
          ...asRecord(rule),
          GroupId: { 'Fn::GetAtt': [logicalId, 'GroupId'] },
        })),
      ),
      ...resourcesAcross(templates, 'AWS::EC2::SecurityGroupEgress').map(({ resource }) =>
        props(resource),
      ),
    ];
    const smtp = egress.filter(
      (rule) =>
        rule.IpProtocol === 'tcp' &&
        (rule.FromPort as number) <= PORTS.smtp &&
        (rule.ToPort as number) >= PORTS.smtp,
    );
    expect(smtp).toHaveLength(1);
    expect(refersTo(smtp[0]?.GroupId, workerId)).toBe(true);
    expect(refersTo(smtp[0]?.DestinationSecurityGroupId, endpointSgId)).toBe(true);
    const endpoint = props(single(network, 'AWS::EC2::VPCEndpoint', 'VpcEmailSmtpEndpoint')[1]);
    expect(JSON.stringify(endpoint.ServiceName)).toContain(
      `${PRODUCTION.mail.sesRegion}.email-smtp`,
    );
    expect(endpoint.PrivateDnsEnabled).toBe(true);
    expect(asArray(endpoint.SecurityGroupIds).every((id) => refersTo(id, endpointSgId))).toBe(true);
  });

  it('verifies the sender domain in SES (DKIM) and requires TLS towards recipients', () => {
    expect(stacks.mail.region).toBe(PRODUCTION.mail.sesRegion);
    const identity = props(single(byRole.mail, 'AWS::SES::EmailIdentity')[1]);
    expect(identity).toMatchObject({
      EmailIdentity: PRODUCTION.domainName,
      DkimAttributes: { SigningEnabled: true },
    });
    byRole.mail.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    expect(
      Object.keys(byRole.mail.findOutputs('*')).filter((o) => o.startsWith('DkimRecord')),
    ).toHaveLength(3);
  });

  it('lets the SMTP user send only from MAIL_FROM through the shop identity, with no key in the template', () => {
    const [, user] = single(byRole.mail, 'AWS::IAM::User');
    expect(props(user).LoginProfile).toBeUndefined();
    expect(props(user).Policies).toBeUndefined();
    expect(props(user).ManagedPolicyArns).toBeUndefined();
    const [groupId, group] = single(byRole.mail, 'AWS::IAM::Group');
    expect(asArray(props(user).Groups).some((g) => refersTo(g, groupId))).toBe(true);
    const [policyId, policy] = single(byRole.mail, 'AWS::IAM::ManagedPolicy');
    expect(asArray(props(group).ManagedPolicyArns).map(referencedId)).toEqual([policyId]);
    const statements = asArray(asRecord(props(policy).PolicyDocument).Statement).map(asRecord);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Action: 'ses:SendRawEmail',
      Condition: { StringEquals: { 'ses:FromAddress': 'no-reply@shop.example.com' } },
    });
    expect(JSON.stringify(statements[0]?.Resource)).not.toContain('"*"');
    // The access key is created by an operator (docs/infra.md), never by CloudFormation.
    expect(resourcesAcross(templates, 'AWS::IAM::AccessKey')).toEqual([]);
  });

  it('starts with an SMTP_URL that carries no credential, for the operator to replace', () => {
    const [, secret] = single(byRole.application, 'AWS::SecretsManager::Secret', 'SmtpUrl');
    const value = props(secret).SecretString;
    expect(value).toBe(
      `smtps://set-by-operator@email-smtp.${PRODUCTION.mail.sesRegion}.amazonaws.com:465`,
    );
    expect(new URL(String(value)).password).toBe('');
  });
});

describe('field encryption', () => {
  const keyId = (): string => single(byRole.data, 'AWS::KMS::Key', 'FieldEncryptionKey')[0];

  it('uses the same encryption context as the API key provider', () => {
    const source = readFileSync(
      new URL('../../libs/crypto/src/key-provider.ts', import.meta.url),
      'utf8',
    );
    const match =
      /dataKeyEncryptionContext\(keyId: string\)[^{]*\{\s*return \{ purpose: '([^']+)', keyId \};/.exec(
        source,
      );
    expect(match?.[1]).toBe(FIELD_ENCRYPTION_CONTEXT.purpose);
    expect([...FIELD_ENCRYPTION_CONTEXT.keys].sort()).toEqual(['keyId', 'purpose']);
  });

  it('wraps data keys with a dedicated, rotated, multi-Region key that refuses any other use', () => {
    const key = props(single(byRole.data, 'AWS::KMS::Key', 'FieldEncryptionKey')[1]);
    expect(key).toMatchObject({ EnableKeyRotation: true, MultiRegion: true });
    const statements = asArray(asRecord(key.KeyPolicy).Statement).map(asRecord);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: {
          StringNotEquals: {
            'kms:EncryptionContext:purpose': FIELD_ENCRYPTION_CONTEXT.purpose,
          },
        },
      }),
    );
    const denied = statements.find((s) => s.Effect === 'Deny');
    expect(actionsOf(denied ?? {})).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
    );
    expect(Object.keys(key)).not.toContain('KeyUsage');
  });

  it('hands the key ARN to the API, not the data-tier key', () => {
    const value = JSON.stringify(environmentOf('Api').FIELD_ENCRYPTION_KMS_KEY_ID);
    expect(value).toContain(keyId());
    expect(value).not.toContain('DataKey');
  });

  it('grants the API GenerateDataKey and Decrypt, the worker Decrypt, only with the field context', () => {
    const fieldKeyStatements = (rolePrefix: string): Record<string, unknown>[] =>
      roleStatements(byRole.application, rolePrefix).filter((s) =>
        JSON.stringify(s.Resource).includes(keyId()),
      );
    const expectedCondition = {
      StringEquals: { 'kms:EncryptionContext:purpose': FIELD_ENCRYPTION_CONTEXT.purpose },
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'keyId'] },
      Null: { 'kms:EncryptionContext:keyId': 'false' },
    };
    const api = fieldKeyStatements('ApiTaskDefinitionTaskRole');
    expect(api).toHaveLength(1);
    expect(actionsOf(api[0] ?? {}).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(api[0]?.Condition).toEqual(expectedCondition);
    const worker = fieldKeyStatements('MailWorkerTaskDefinitionTaskRole');
    expect(worker).toHaveLength(1);
    expect(actionsOf(worker[0] ?? {})).toEqual(['kms:Decrypt']);
    expect(worker[0]?.Condition).toEqual(expectedCondition);
    for (const role of ['Web', 'Migration', 'AuditVerify']) {
      expect(fieldKeyStatements(`${role}TaskDefinitionTaskRole`), role).toEqual([]);
    }
  });

  it('replicates the key to the DR region with the same restriction', () => {
    const replica = props(single(byRole.drData, 'AWS::KMS::ReplicaKey')[1]);
    expect(JSON.stringify(replica.PrimaryKeyArn)).toContain('FieldEncryptionKey');
    expect(JSON.stringify(replica.KeyPolicy)).toContain('DenyUseOutsideFieldEncryption');
  });
});

describe('audit trail verification', () => {
  it('runs audit:verify on a daily schedule as its own task', () => {
    expect(container('AuditVerify').Command).toEqual([...API_COMMANDS.auditVerify]);
    const [, rule] = single(byRole.application, 'AWS::Events::Rule', 'AuditVerifySchedule');
    expect(props(rule).ScheduleExpression).toBe(PRODUCTION.auditVerifySchedule);
    const [taskId] = single(byRole.application, 'AWS::ECS::TaskDefinition', 'AuditVerify');
    const target = asRecord(asArray(props(rule).Targets)[0]);
    expect(refersTo(asRecord(target.EcsParameters).TaskDefinitionArn, taskId)).toBe(true);
    // Reads the chain with the runtime user; no KMS, no S3.
    const statements = roleStatements(byRole.application, 'AuditVerifyTaskDefinitionTaskRole');
    expect(statements.flatMap(actionsOf)).toEqual(['rds-db:connect']);
  });

  it('alarms when the chain is broken and when no run succeeded for 26 hours', () => {
    const filters = resourcesOf(byRole.application, 'AWS::Logs::MetricFilter').map(([, r]) =>
      props(r),
    );
    const [auditLogsId] = single(byRole.application, 'AWS::Logs::LogGroup', 'AuditVerifyLogs');
    const metricOf = (pattern: string): string => {
      const filter = filters.find((f) => f.FilterPattern === pattern);
      expect(refersTo(filter?.LogGroupName, auditLogsId), pattern).toBe(true);
      const transformation = asRecord(asArray(filter?.MetricTransformations)[0]);
      expect(transformation.MetricNamespace).toBe(METRIC_NAMESPACE);
      return String(transformation.MetricName);
    };
    const broken = metricOf('"audit:verify FAILED"');
    const verified = metricOf('"audit:verify ok"');
    const alarms = resourcesOf(byRole.application, 'AWS::CloudWatch::Alarm').map(([, r]) =>
      props(r),
    );
    expect(alarms.find((a) => a.MetricName === broken)).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      AlarmActions: [expect.anything()],
    });
    expect(alarms.find((a) => a.MetricName === verified)).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      TreatMissingData: 'breaching',
      AlarmActions: [expect.anything()],
    });
  });
});

describe('ALB', () => {
  it('is internal, drops invalid headers, logs access and resists deletion', () => {
    const [, alb] = single(byRole.application, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(props(alb).Scheme).toBe('internal');
    const attributes = Object.fromEntries(
      asArray(props(alb).LoadBalancerAttributes).map((a) => [asRecord(a).Key, asRecord(a).Value]),
    );
    expect(attributes).toMatchObject({
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'access_logs.s3.enabled': 'true',
      'deletion_protection.enabled': 'true',
    });
  });

  it('listens on HTTPS only with a TLS 1.2+ policy', () => {
    const listeners = resourcesOf(byRole.application, 'AWS::ElasticLoadBalancingV2::Listener').map(
      ([, r]) => props(r),
    );
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({ Protocol: 'HTTPS', Port: 443 });
    expect(String(listeners[0]?.SslPolicy)).toMatch(/^ELBSecurityPolicy-TLS13-1-2/);
  });

  it('routes /api/* to the API and checks readiness there', () => {
    byRole.application.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    });
    byRole.application.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/api/health/ready',
      Port: 3333,
    });
  });

  it('alarms on 5xx and latency into the alert topic', () => {
    const alarms = resourcesOf(byRole.application, 'AWS::CloudWatch::Alarm').map(([, r]) =>
      props(r),
    );
    expect(alarms.map((a) => a.AlarmDescription)).toEqual(
      expect.arrayContaining([expect.stringContaining('5xx'), expect.stringContaining('p99')]),
    );
    for (const alarm of alarms) expect(asArray(alarm.AlarmActions)).toHaveLength(1);
  });
});

describe('secrets and keys', () => {
  it('encrypts every secret with a customer-managed key', () => {
    const secrets = resourcesAcross(templates, 'AWS::SecretsManager::Secret');
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const { logicalId, resource } of secrets) {
      expect(props(resource).KmsKeyId, logicalId).toBeDefined();
    }
  });

  it('rotates every customer-managed KMS key', () => {
    const keys = resourcesAcross(templates, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const { logicalId, resource } of keys) {
      expect(props(resource).EnableKeyRotation, logicalId).toBe(true);
    }
  });

  it('has no IAM user but the SES SMTP sender, and no access key anywhere', () => {
    const users = resourcesAcross(templates, 'AWS::IAM::User');
    expect(users.map((u) => `${u.stackName}/${u.logicalId}`)).toEqual([
      expect.stringMatching(new RegExp(`^${stacks.mail.stackName}/SmtpSender`)),
    ]);
    expect(resourcesAcross(templates, 'AWS::IAM::AccessKey')).toEqual([]);
  });

  it('generates the application keys in Secrets Manager: no value in the template', () => {
    const secret = (prefix: string) =>
      props(single(byRole.application, 'AWS::SecretsManager::Secret', prefix)[1]);
    for (const name of ['AuditHmacKey', 'LogPseudonymKey', 'AuditHmacPreviousKeys']) {
      expect(secret(name).GenerateSecretString, name).toMatchObject({ PasswordLength: 64 });
      expect(secret(name).SecretString, name).toBeUndefined();
    }
    // The retired keys are a comma-separated list: the generated one must hold no comma.
    expect(secret('AuditHmacPreviousKeys').GenerateSecretString).toMatchObject({
      ExcludePunctuation: true,
    });
    // BLIND_INDEX_KEY: 43 generated base64 characters plus the padding, resolved at deploy time.
    const seed = secret('BlindIndexKeySeed');
    expect(seed.GenerateSecretString).toMatchObject({
      PasswordLength: 43,
      RequireEachIncludedType: false,
    });
    const excluded = String(asRecord(seed.GenerateSecretString).ExcludeCharacters);
    expect(excluded).not.toMatch(/[+/A-Za-z0-9]/);
    expect(excluded).toHaveLength(30);
    const [seedId] = single(byRole.application, 'AWS::SecretsManager::Secret', 'BlindIndexKeySeed');
    const derived = resourcesOf(byRole.application, 'AWS::SecretsManager::Secret').filter(
      ([id]) => id.startsWith('BlindIndexKey') && !id.startsWith('BlindIndexKeySeed'),
    );
    expect(derived).toHaveLength(1);
    expect(props(derived[0]![1]).SecretString).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: seedId }, ':SecretString:::}}=']],
    });
  });
});

describe('security baseline', () => {
  it('runs a multi-region CloudTrail with file validation and KMS into the archive', () => {
    byRole.securityBaseline.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      IncludeGlobalServiceEvents: true,
      KMSKeyId: Match.anyValue(),
    });
  });

  it('alarms on sensitive API calls (root use, console login without MFA, IAM/KMS/SG changes)', () => {
    const metrics = resourcesOf(byRole.securityBaseline, 'AWS::Logs::MetricFilter').map(([, r]) =>
      String(asRecord(asArray(props(r).MetricTransformations)[0]).MetricName),
    );
    expect(metrics).toEqual(
      expect.arrayContaining([
        'RootAccountUsage',
        'ConsoleLoginWithoutMfa',
        'IamPolicyChanges',
        'CloudTrailChanges',
        'KmsKeyDisabledOrDeleted',
        'SecurityGroupChanges',
        'ConfigChanges',
      ]),
    );
    const alarms = resourcesOf(byRole.securityBaseline, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(metrics.length);
    for (const [, alarm] of alarms) expect(asArray(props(alarm).AlarmActions)).toHaveLength(1);
  });

  it('sends alerts to an encrypted, TLS-only SNS topic', () => {
    const [topicId, topic] = single(byRole.securityBaseline, 'AWS::SNS::Topic');
    expect(referencedId(props(topic).KmsMasterKeyId)).toMatch(/^AuditKey/);
    const statements = resourcesOf(byRole.securityBaseline, 'AWS::SNS::TopicPolicy')
      .filter(([, p]) => asArray(props(p).Topics).some((t) => refersTo(t, topicId)))
      .flatMap(([, p]) => asArray(asRecord(props(p).PolicyDocument).Statement).map(asRecord));
    expect(
      statements.some(
        (s) =>
          s.Effect === 'Deny' &&
          asRecord(asRecord(s.Condition).Bool)['aws:SecureTransport'] === 'false',
      ),
    ).toBe(true);
  });

  it('enables GuardDuty with S3, RDS and runtime protection', () => {
    const [, detector] = single(byRole.securityBaseline, 'AWS::GuardDuty::Detector');
    const features = asArray(props(detector).Features).map(asRecord);
    expect(props(detector).Enable).toBe(true);
    for (const name of ['S3_DATA_EVENTS', 'RDS_LOGIN_EVENTS', 'RUNTIME_MONITORING']) {
      expect(features.find((f) => f.Name === name)?.Status, name).toBe('ENABLED');
    }
  });

  it('enables Security Hub with AWS Foundational, CIS and PCI DSS standards', () => {
    byRole.securityBaseline.resourceCountIs('AWS::SecurityHub::Hub', 1);
    const arns = resourcesOf(byRole.securityBaseline, 'AWS::SecurityHub::Standard').map(([, r]) =>
      JSON.stringify(props(r).StandardsArn),
    );
    for (const standard of [
      'aws-foundational-security-best-practices',
      'cis-aws-foundations-benchmark',
      'pci-dss',
    ]) {
      expect(
        arns.some((arn) => arn.includes(standard)),
        standard,
      ).toBe(true);
    }
  });

  it('makes a public bucket private again automatically (AWS Config remediation)', () => {
    byRole.securityBaseline.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      Automatic: true,
      TargetType: 'SSM_DOCUMENT',
      TargetId: 'AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
    });
    byRole.securityBaseline.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
  });

  it('runs IAM Access Analyzer', () => {
    byRole.securityBaseline.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
  });

  it('alerts on budget overrun and cost anomalies', () => {
    byRole.securityBaseline.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: PRODUCTION.monthlyBudgetUsd, Unit: 'USD' } },
    });
    byRole.securityBaseline.resourceCountIs('AWS::CE::AnomalySubscription', 1);
  });
});

describe('delivery', () => {
  it('lets only the protected GitHub environment of one repository assume the deploy role', () => {
    byRole.delivery.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': `repo:${PRODUCTION.github.repository}:environment:${PRODUCTION.github.environment}`,
              },
            },
          }),
        ],
      },
      MaxSessionDuration: 3600,
    });
  });

  it('keeps images in immutable, scanned, KMS-encrypted ECR repositories', () => {
    const repositories = resourcesOf(byRole.delivery, 'AWS::ECR::Repository').map(([, r]) =>
      props(r),
    );
    expect(repositories).toHaveLength(2);
    for (const repository of repositories) {
      expect(repository).toMatchObject({
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      });
    }
  });
});

describe('CloudFront', () => {
  const distribution = (): Record<string, unknown> =>
    asRecord(props(single(byRole.edge, 'AWS::CloudFront::Distribution')[1]).DistributionConfig);

  it('enforces TLS ≥ 1.2 with SNI on the viewer side and HTTPS only', () => {
    const config = distribution();
    expect(asRecord(config.ViewerCertificate)).toMatchObject({
      MinimumProtocolVersion: 'TLSv1.2_2025',
      SslSupportMethod: 'sni-only',
    });
    const behaviors = [
      asRecord(config.DefaultCacheBehavior),
      ...asArray(config.CacheBehaviors).map(asRecord),
    ];
    for (const behavior of behaviors) {
      expect(['https-only', 'redirect-to-https']).toContain(behavior.ViewerProtocolPolicy);
    }
  });

  it('is protected by the WAF web ACL of the us-east-1 stack', () => {
    expect(JSON.stringify(distribution().WebACLId)).toContain('WebAcl');
  });

  it('never caches /api/* and sends it to the internal ALB through a VPC origin over TLS', () => {
    const config = distribution();
    const api = asArray(config.CacheBehaviors)
      .map(asRecord)
      .find((b) => b.PathPattern === '/api/*');
    // Managed policy "CachingDisabled".
    expect(api?.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    const origin = asArray(config.Origins)
      .map(asRecord)
      .find((o) => o.Id === api?.TargetOriginId);
    expect(asRecord(origin?.VpcOriginConfig).VpcOriginId).toBeDefined();
    byRole.edge.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
      }),
    });
  });

  it('serves static assets from the private bucket through Origin Access Control only', () => {
    const config = distribution();
    const assets = asArray(config.CacheBehaviors)
      .map(asRecord)
      .find((b) => b.PathPattern === '/assets/*');
    const origin = asArray(config.Origins)
      .map(asRecord)
      .find((o) => o.Id === assets?.TargetOriginId);
    expect(origin?.OriginAccessControlId).toBeDefined();
    const [distributionId] = single(byRole.edge, 'AWS::CloudFront::Distribution');
    const statements = resourcesOf(byRole.edge, 'AWS::S3::BucketPolicy').flatMap(([, p]) =>
      asArray(asRecord(props(p).PolicyDocument).Statement).map(asRecord),
    );
    const allow = statements.filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(asRecord(allow[0]?.Principal).Service).toBe('cloudfront.amazonaws.com');
    expect(JSON.stringify(asRecord(allow[0]?.Condition).StringEquals)).toContain(distributionId);
  });

  it('adds HSTS (2 years), nosniff, frame DENY and a referrer policy to every response', () => {
    const [, policy] = single(byRole.edge, 'AWS::CloudFront::ResponseHeadersPolicy');
    const security = asRecord(
      asRecord(asRecord(props(policy).ResponseHeadersPolicyConfig).SecurityHeadersConfig),
    );
    expect(security).toMatchObject({
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63072000,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin' },
    });
  });

  it('writes standard logs to the CloudFront log bucket', () => {
    expect(asRecord(distribution().Logging).Bucket).toBeDefined();
  });
});

describe('WAF', () => {
  const webAcl = (): Record<string, unknown> =>
    props(single(byRole.edgeWaf, 'AWS::WAFv2::WebACL')[1]);
  const rules = (): Record<string, unknown>[] => asArray(webAcl().Rules).map(asRecord);

  it('is CloudFront-scoped with the AWS managed rule groups', () => {
    expect(webAcl().Scope).toBe('CLOUDFRONT');
    const groups = rules().map(
      (r) => asRecord(asRecord(r.Statement).ManagedRuleGroupStatement).Name,
    );
    for (const group of [
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
      'AWSManagedRulesBotControlRuleSet',
    ]) {
      expect(groups).toContain(group);
    }
  });

  it('scopes Bot Control to /api/', () => {
    const bot = rules().find((r) => r.Name === 'AWSManagedRulesBotControlRuleSet');
    const scopeDown = asRecord(
      asRecord(asRecord(bot?.Statement).ManagedRuleGroupStatement).ScopeDownStatement,
    );
    expect(asRecord(scopeDown.ByteMatchStatement).SearchString).toBe('/api/');
  });

  it('rate-limits the whole site, and auth and checkout more tightly', () => {
    const rate = Object.fromEntries(
      rules()
        .filter((r) => asRecord(r.Statement).RateBasedStatement !== undefined)
        .map((r) => {
          const statement = asRecord(asRecord(r.Statement).RateBasedStatement);
          const path = asRecord(
            asRecord(statement.ScopeDownStatement).ByteMatchStatement,
          ).SearchString;
          return [typeof path === 'string' ? path : '*', statement.Limit as number];
        }),
    );
    expect(Object.keys(rate).sort()).toEqual(['*', '/api/auth/', '/api/checkout']);
    expect(rate['/api/auth/']).toBeLessThan(rate['*']!);
    expect(rate['/api/checkout']).toBeLessThan(rate['*']!);
  });

  it('logs to the EU bucket with cookies and authorization redacted', () => {
    const [, logging] = single(byRole.edgeWaf, 'AWS::WAFv2::LoggingConfiguration');
    const p = props(logging);
    expect(JSON.stringify(p.LogDestinationConfigs)).toContain('aws-waf-logs-storefront-production');
    expect(asArray(p.RedactedFields)).toEqual([
      { SingleHeader: { Name: 'cookie' } },
      { SingleHeader: { Name: 'authorization' } },
    ]);
    expect(stacks.storage.region).toMatch(/^eu-/);
  });

  it('alarms on blocked requests', () => {
    byRole.edgeWaf.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BlockedRequests',
      Namespace: 'AWS/WAFV2',
      AlarmActions: Match.anyValue(),
    });
  });

  it('has no maintenance rule unless maintenance mode is switched on', () => {
    expect(rules().map((r) => r.Name)).not.toContain('maintenance-mode');
  });
});

describe('region loss (Aurora Global Database)', () => {
  it('makes the primary cluster the source of a global cluster', () => {
    byRole.data.hasResourceProperties('AWS::RDS::GlobalCluster', {
      GlobalClusterIdentifier: `storefront-${PRODUCTION.name}-global`,
      DeletionProtection: true,
    });
  });

  it('runs an encrypted, TLS-only secondary with two instances in the second EU region', () => {
    const dr = stacks.drData;
    expect(dr?.region).toBe(PRODUCTION.database.globalSecondaryRegion);
    expect(dr?.region).not.toBe(PRODUCTION.primaryRegion);
    const cluster = props(single(byRole.drData, 'AWS::RDS::DBCluster')[1]);
    expect(cluster).toMatchObject({
      GlobalClusterIdentifier: `storefront-${PRODUCTION.name}-global`,
      StorageEncrypted: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 35,
    });
    expect(referencedId(cluster.KmsKeyId)).toMatch(/^DrDataKey/);
    expect(cluster.MasterUsername).toBeUndefined();
    byRole.drData.resourceCountIs('AWS::RDS::DBInstance', 2);
    byRole.drData.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
  });
});
