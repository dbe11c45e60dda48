/**
 * One test per control of the reference architecture, asserted on the synthesized templates of
 * the production environment. The app is synthesised once (behind the cdk-nag gate, so reaching
 * the assertions at all proves the gate passed) and the templates are shared.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addStorefront, allStacks, createApp, type StorefrontStacks } from '../src/app.ts';
import { EDGE_REGION, EU_REGIONS, PRODUCTION } from '../src/config/environments.ts';
import { TRUSTED_PROXY_HOPS } from '../src/stacks/application-stack.ts';
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
    for (const service of ['ecr.api', 'ecr.dkr', 'secretsmanager', 'logs', 'kms', 'sts', 's3']) {
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
    expect(all).toHaveLength(3);
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
    const secretNames = ['DATABASE_URL', 'MIGRATION_DATABASE_URL', 'REDIS_URL'];
    const all = containers(byRole.application);
    const injected = all.flatMap((c) => asArray(c.Secrets).map((s) => String(asRecord(s).Name)));
    expect(injected.sort()).toEqual([...secretNames].sort());
    for (const container of all) {
      for (const variable of asArray(container.Environment).map(asRecord)) {
        expect(secretNames).not.toContain(variable.Name);
        expect(String(variable.Name)).not.toMatch(/SECRET|PASSWORD|TOKEN|PRIVATE|_KEY$/);
        expect(JSON.stringify(variable.Value)).not.toMatch(
          /resolve:secretsmanager|rediss?:\/\/|postgres/,
        );
      }
    }
  });

  it('gives the API the run-time environment it expects (ports, proxy hops)', () => {
    const api = containers(byRole.application).find((c) => c.Name === 'Api');
    const environment = Object.fromEntries(
      asArray(api?.Environment).map((v) => [asRecord(v).Name, asRecord(v).Value]),
    );
    expect(environment).toMatchObject({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '3333',
      TRUST_PROXY_HOPS: String(TRUSTED_PROXY_HOPS),
    });
    expect(TRUSTED_PROXY_HOPS).toBe(2);
  });

  it('runs a one-off migration task with its own database URL', () => {
    const migration = containers(byRole.application).find((c) => c.Name === 'Migration');
    expect(migration?.Command).toEqual(['node', 'apps/api/dist/cli.js', 'migrate']);
  });

  it('keeps ≥ 3 tasks per service over the three application subnets, with rollback', () => {
    const services = resourcesOf(byRole.application, 'AWS::ECS::Service').map(([, r]) => props(r));
    expect(services).toHaveLength(2);
    for (const service of services) {
      expect(service.DesiredCount as number).toBeGreaterThanOrEqual(3);
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
    expect(targets).toHaveLength(2);
    for (const target of targets) {
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
    ]);
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
    expect(alarms.map((a) => a.AlarmDescription)).toEqual([
      expect.stringContaining('5xx'),
      expect.stringContaining('p99'),
    ]);
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

  it('has no IAM user or access key anywhere', () => {
    expect(resourcesAcross(templates, 'AWS::IAM::User')).toEqual([]);
    expect(resourcesAcross(templates, 'AWS::IAM::AccessKey')).toEqual([]);
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
