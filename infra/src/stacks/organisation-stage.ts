import {
  Duration,
  RemovalPolicy,
  Stack,
  Stage,
  type StackProps,
  type StageProps,
} from 'aws-cdk-lib';
import { CfnTrail, ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { Bucket, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import { CfnDelegatedAdmin } from 'aws-cdk-lib/aws-securityhub';
import type { Construct } from 'constructs';
import {
  EDGE_REGION,
  EU_REGIONS,
  type EnvironmentConfig,
  type OrganisationConfig,
} from '../config/environments.ts';
import { SecureBucket } from '../constructs/secure-bucket.ts';

/** Actions of global services, served from us-east-1 whatever the caller's region. */
export const GLOBAL_SERVICE_ACTIONS = [
  'iam:*',
  'organizations:*',
  'account:*',
  'sts:*',
  'route53:*',
  'route53domains:*',
  'cloudfront:*',
  'globalaccelerator:*',
  'budgets:*',
  'ce:*',
  'cur:*',
  'health:*',
  'support:*',
  'trustedadvisor:*',
  'sso:*',
  'identitystore:*',
  'pricing:*',
  'shield:*',
] as const;

/**
 * What may run in us-east-1 besides global services: the edge stack (WAF, certificate, its alarm
 * and topic, CloudFormation and the CDK asset bucket it deploys with). Nothing else.
 */
export const EDGE_REGION_ACTIONS = [
  'wafv2:*',
  'acm:*',
  'cloudformation:*',
  'cloudwatch:*',
  'sns:*',
  'kms:*',
  'ssm:*',
  'lambda:*',
  'logs:*',
  's3:*',
  'ecr:*',
] as const;

/** Name of the organisation trail's bucket in the log-archive account. */
export function organisationTrailBucketName(organisation: OrganisationConfig): string {
  return `storefront-org-trail-${organisation.logArchiveAccount}`;
}

/** Options of the {@link OrganisationStage}. */
export interface OrganisationStageProps extends StageProps {
  /** The environment whose organisation is configured. */
  readonly config: EnvironmentConfig;
  /** Its organisation settings. */
  readonly organisation: OrganisationConfig;
}

/**
 * Organisation-wide guard rails, kept apart from the workload and deployed by the management and
 * log-archive accounts: service control policies (EU regions only, no public S3, the security
 * baseline cannot be switched off), the organisation trail into an Object-Locked bucket of the
 * log-archive account, and the security-tooling account as delegated administrator.
 */
export class OrganisationStage extends Stage {
  /** The log-archive account's stack. */
  public readonly logArchive: LogArchiveStack;
  /** The management account's stack. */
  public readonly management: ManagementStack;

  /** Creates both stacks. */
  public constructor(scope: Construct, id: string, props: OrganisationStageProps) {
    super(scope, id, props);
    const region = props.config.primaryRegion;
    this.logArchive = new LogArchiveStack(this, 'LogArchive', {
      env: { account: props.organisation.logArchiveAccount, region },
      organisation: props.organisation,
    });
    this.management = new ManagementStack(this, 'Management', {
      env: { account: props.organisation.managementAccount, region },
      organisation: props.organisation,
    });
    this.management.addStackDependency(this.logArchive);
  }
}

/** Options of the organisation stacks. */
export interface OrganisationStackProps extends StackProps {
  /** The organisation settings. */
  readonly organisation: OrganisationConfig;
}

/** The log-archive account: the Object-Locked, KMS-encrypted bucket of the organisation trail. */
export class LogArchiveStack extends Stack {
  /** Creates the bucket and its key. */
  public constructor(scope: Construct, id: string, props: OrganisationStackProps) {
    super(scope, id, props);
    const { organisation } = props;
    const key = new Key(this, 'TrailKey', {
      alias: 'alias/storefront-org-trail',
      description: 'Encrypts the organisation trail',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowOrganisationTrail',
        principals: [new ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceOrgID': organisation.organizationId } },
      }),
    );
    const accessLogs = new SecureBucket(this, 'AccessLogs', {}).bucket;
    const bucket = new SecureBucket(this, 'OrganisationTrail', {
      bucketName: organisationTrailBucketName(organisation),
      encryptionKey: key,
      serverAccessLogsBucket: accessLogs,
      noncurrentVersionDays: 3650,
      extra: {
        objectLockEnabled: true,
        objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(365)),
      },
    }).bucket;
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OrganisationTrailAclCheck',
        principals: [new ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:GetBucketAcl'],
        resources: [bucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceOrgID': organisation.organizationId } },
      }),
    );
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OrganisationTrailWrite',
        principals: [new ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`AWSLogs/${organisation.organizationId}/*`)],
        conditions: {
          StringEquals: {
            's3:x-amz-acl': 'bucket-owner-full-control',
            'aws:SourceOrgID': organisation.organizationId,
          },
        },
      }),
    );
  }
}

/** The management account: SCPs, the organisation trail, delegated administration. */
export class ManagementStack extends Stack {
  /** The service control policies, by purpose. */
  public readonly policies: Record<'euRegionsOnly' | 'denyPublicS3' | 'protectBaseline', CfnPolicy>;

  /** Creates the policies, the trail and the delegation. */
  public constructor(scope: Construct, id: string, props: OrganisationStackProps) {
    super(scope, id, props);
    const { organisation } = props;
    const targetIds = [...organisation.workloadOrganizationalUnitIds];
    const scp = (name: string, description: string, statements: PolicyStatement[]): CfnPolicy =>
      new CfnPolicy(this, name, {
        name,
        description,
        type: 'SERVICE_CONTROL_POLICY',
        targetIds,
        content: {
          Version: '2012-10-17',
          Statement: statements.map((s): unknown => s.toStatementJson()),
        },
      });

    const euRegionsOnly = scp('storefront-eu-regions-only', 'Workloads stay in EU regions (GDPR)', [
      new PolicyStatement({
        sid: 'DenyOutsideEuAndEdge',
        effect: Effect.DENY,
        notActions: [...GLOBAL_SERVICE_ACTIONS],
        resources: ['*'],
        conditions: {
          StringNotEquals: { 'aws:RequestedRegion': [...EU_REGIONS, EDGE_REGION] },
        },
      }),
      new PolicyStatement({
        sid: 'EdgeRegionForEdgeServicesOnly',
        effect: Effect.DENY,
        notActions: [...GLOBAL_SERVICE_ACTIONS, ...EDGE_REGION_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': EDGE_REGION } },
      }),
    ]);

    const denyPublicS3 = scp('storefront-deny-public-s3', 'No public buckets or objects', [
      new PolicyStatement({
        sid: 'KeepAccountPublicAccessBlock',
        effect: Effect.DENY,
        actions: ['s3:PutAccountPublicAccessBlock'],
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'DenyPublicAcls',
        effect: Effect.DENY,
        actions: ['s3:PutBucketAcl', 's3:PutObjectAcl', 's3:PutObject', 's3:CreateBucket'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            's3:x-amz-acl': ['public-read', 'public-read-write', 'authenticated-read'],
          },
        },
      }),
    ]);

    const protectBaseline = scp(
      'storefront-protect-security-baseline',
      'The trail, GuardDuty, Security Hub, Config and Access Analyzer cannot be switched off',
      [
        new PolicyStatement({
          sid: 'ProtectSecurityServices',
          effect: Effect.DENY,
          actions: [
            'cloudtrail:StopLogging',
            'cloudtrail:DeleteTrail',
            'cloudtrail:UpdateTrail',
            'guardduty:DeleteDetector',
            'guardduty:DisassociateFromAdministratorAccount',
            'securityhub:DisableSecurityHub',
            'config:StopConfigurationRecorder',
            'config:DeleteConfigurationRecorder',
            'config:DeleteDeliveryChannel',
            'access-analyzer:DeleteAnalyzer',
            'organizations:LeaveOrganization',
          ],
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'DenyRootUser',
          effect: Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          conditions: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
        }),
      ],
    );
    this.policies = { euRegionsOnly, denyPublicS3, protectBaseline };

    const trail = new Trail(this, 'OrganisationTrail', {
      trailName: 'storefront-organisation',
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: ReadWriteType.ALL,
      // Mirrored to CloudWatch Logs of the management account for organisation-wide alarms.
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.trailLogGroup(),
      bucket: Bucket.fromBucketName(this, 'TrailBucket', organisationTrailBucketName(organisation)),
    });
    // The key lives in the log-archive account; its alias ARN is deterministic.
    (trail.node.defaultChild as CfnTrail).kmsKeyId =
      `arn:${this.partition}:kms:${this.region}:${organisation.logArchiveAccount}:alias/storefront-org-trail`;

    new CfnDelegatedAdmin(this, 'SecurityHubDelegatedAdmin', {
      adminAccountId: organisation.securityToolingAccount,
    });
  }

  private trailLogGroup(): LogGroup {
    const key = new Key(this, 'TrailLogsKey', {
      alias: 'alias/storefront-org-trail-logs',
      description: 'Encrypts the organisation trail log group',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    return new LogGroup(this, 'TrailLogGroup', {
      encryptionKey: key,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
