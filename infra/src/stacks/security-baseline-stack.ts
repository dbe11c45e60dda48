import { Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnAnalyzer } from 'aws-cdk-lib/aws-accessanalyzer';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { CfnAnomalyMonitor, CfnAnomalySubscription } from 'aws-cdk-lib/aws-ce';
import { Trail, ReadWriteType } from 'aws-cdk-lib/aws-cloudtrail';
import {
  Alarm,
  ComparisonOperator,
  TreatMissingData,
  type IAlarmAction,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  CfnConfigurationRecorder,
  CfnDeliveryChannel,
  CfnRemediationConfiguration,
  ManagedRule,
  ManagedRuleIdentifiers,
} from 'aws-cdk-lib/aws-config';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { CfnDetector } from 'aws-cdk-lib/aws-guardduty';
import {
  Effect,
  ManagedPolicy,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ObjectLockRetention, type IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnHub, CfnStandard } from 'aws-cdk-lib/aws-securityhub';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.ts';
import { SecureBucket } from '../constructs/secure-bucket.ts';

/** Options of the {@link SecurityBaselineStack}. */
export interface SecurityBaselineStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
}

/**
 * One CIS-style alarm on a sensitive API call: a CloudTrail metric filter and an alarm on its
 * first occurrence.
 */
interface SensitiveCallAlarm {
  readonly id: string;
  readonly description: string;
  readonly pattern: string;
}

/** The CIS AWS Foundations 4.x / Security Hub CloudWatch.1–14 metric filters. */
const SENSITIVE_CALLS: readonly SensitiveCallAlarm[] = [
  {
    id: 'RootAccountUsage',
    description: 'The root user was used',
    pattern:
      '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
  {
    id: 'UnauthorizedApiCalls',
    description: 'API calls were refused for lack of authorisation',
    pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  },
  {
    id: 'ConsoleLoginWithoutMfa',
    description: 'A console sign-in succeeded without MFA',
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    id: 'IamPolicyChanges',
    description: 'An IAM policy was changed',
    pattern:
      '{ ($.eventSource = "iam.amazonaws.com") && (($.eventName = "DeleteGroupPolicy") || ($.eventName = "DeleteRolePolicy") || ($.eventName = "DeleteUserPolicy") || ($.eventName = "PutGroupPolicy") || ($.eventName = "PutRolePolicy") || ($.eventName = "PutUserPolicy") || ($.eventName = "CreatePolicy") || ($.eventName = "DeletePolicy") || ($.eventName = "CreatePolicyVersion") || ($.eventName = "DeletePolicyVersion") || ($.eventName = "AttachRolePolicy") || ($.eventName = "DetachRolePolicy") || ($.eventName = "AttachUserPolicy") || ($.eventName = "DetachUserPolicy") || ($.eventName = "AttachGroupPolicy") || ($.eventName = "DetachGroupPolicy")) }',
  },
  {
    id: 'CloudTrailChanges',
    description: 'CloudTrail configuration was changed',
    pattern:
      '{ ($.eventName = "CreateTrail") || ($.eventName = "UpdateTrail") || ($.eventName = "DeleteTrail") || ($.eventName = "StartLogging") || ($.eventName = "StopLogging") }',
  },
  {
    id: 'KmsKeyDisabledOrDeleted',
    description: 'A customer-managed KMS key was disabled or scheduled for deletion',
    pattern:
      '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) }',
  },
  {
    id: 'SecurityGroupChanges',
    description: 'A security group was changed',
    pattern:
      '{ ($.eventName = "AuthorizeSecurityGroupIngress") || ($.eventName = "AuthorizeSecurityGroupEgress") || ($.eventName = "RevokeSecurityGroupIngress") || ($.eventName = "RevokeSecurityGroupEgress") || ($.eventName = "CreateSecurityGroup") || ($.eventName = "DeleteSecurityGroup") }',
  },
  {
    id: 'ConfigChanges',
    description: 'AWS Config recording was changed',
    pattern:
      '{ ($.eventSource = "config.amazonaws.com") && (($.eventName = "StopConfigurationRecorder") || ($.eventName = "DeleteDeliveryChannel") || ($.eventName = "PutDeliveryChannel") || ($.eventName = "PutConfigurationRecorder")) }',
  },
  {
    id: 'S3BucketPolicyChanges',
    description: 'An S3 bucket policy, ACL or public access block was changed',
    pattern:
      '{ ($.eventSource = "s3.amazonaws.com") && (($.eventName = "PutBucketAcl") || ($.eventName = "PutBucketPolicy") || ($.eventName = "DeleteBucketPolicy") || ($.eventName = "PutBucketPublicAccessBlock") || ($.eventName = "DeleteBucketPublicAccessBlock")) }',
  },
  {
    id: 'NetworkAclOrGatewayChanges',
    description: 'A network ACL, route table or gateway was changed',
    pattern:
      '{ ($.eventName = "CreateNetworkAcl") || ($.eventName = "CreateNetworkAclEntry") || ($.eventName = "DeleteNetworkAcl") || ($.eventName = "DeleteNetworkAclEntry") || ($.eventName = "ReplaceNetworkAclEntry") || ($.eventName = "ReplaceNetworkAclAssociation") || ($.eventName = "CreateRoute") || ($.eventName = "ReplaceRoute") || ($.eventName = "AttachInternetGateway") || ($.eventName = "CreateCustomerGateway") || ($.eventName = "DeleteInternetGateway") }',
  },
];

/** Security Hub standards enabled in the workload account. */
export const SECURITY_HUB_STANDARDS = [
  'aws-foundational-security-best-practices/v/1.0.0',
  'cis-aws-foundations-benchmark/v/3.0.0',
  'pci-dss/v/4.0.1',
] as const;

/**
 * The account's security baseline: an Object-Locked log archive, a multi-region CloudTrail with
 * log-file validation and KMS, alarms on sensitive API calls, GuardDuty (S3, RDS, runtime),
 * Security Hub (AWS Foundational, CIS, PCI DSS), AWS Config with automatic remediation of a public
 * bucket, IAM Access Analyzer, the encrypted alert topic and the budgets.
 *
 * In organisation mode the trail, GuardDuty, Security Hub and Access Analyzer come from the
 * organisation stage (delegated administrators) instead; the log archive, Config remediation,
 * alerts and budgets stay here.
 */
export class SecurityBaselineStack extends Stack {
  /** Object-Locked, KMS-encrypted bucket for CloudTrail, VPC flow logs and Config snapshots. */
  public readonly logArchiveBucket: IBucket;
  /** Bucket receiving S3 server access logs of every other bucket. */
  public readonly accessLogsBucket: IBucket;
  /** Encrypted SNS topic receiving every security and availability alarm. */
  public readonly alertsTopic: ITopic;
  /** Alarm action publishing to {@link alertsTopic}. */
  public readonly alertAction: IAlarmAction;

  /** Creates the baseline. */
  public constructor(scope: Construct, id: string, props: SecurityBaselineStackProps) {
    super(scope, id, props);
    const { config } = props;

    const auditKey = new Key(this, 'AuditKey', {
      alias: `alias/storefront-${config.name}-audit`,
      description: 'Encrypts the log archive, the trail, its log group and the alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const keyUsers = [
      'cloudtrail.amazonaws.com',
      'delivery.logs.amazonaws.com',
      'config.amazonaws.com',
      `logs.${this.region}.amazonaws.com`,
      'cloudwatch.amazonaws.com',
      'events.amazonaws.com',
      'budgets.amazonaws.com',
      'costalerts.amazonaws.com',
      'events.rds.amazonaws.com',
    ];
    for (const [index, service] of keyUsers.entries()) {
      auditKey.addToResourcePolicy(
        new PolicyStatement({
          sid: `AllowAwsServiceUse${index}`,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }

    this.accessLogsBucket = new SecureBucket(this, 'AccessLogs', {
      encryptionKey: undefined,
      noncurrentVersionDays: 30,
    }).bucket;

    const archive = new SecureBucket(this, 'LogArchive', {
      encryptionKey: auditKey,
      serverAccessLogsBucket: this.accessLogsBucket,
      noncurrentVersionDays: config.trailObjectLockDays,
      extra: {
        objectLockEnabled: true,
        objectLockDefaultRetention: ObjectLockRetention.compliance(
          Duration.days(config.trailObjectLockDays),
        ),
      },
    }).bucket;
    this.logArchiveBucket = archive;
    // Log-delivery services write with bucket-owner-full-control into their own prefixes.
    archive.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AwsLogDeliveryAclCheck',
        principals: [
          new ServicePrincipal('cloudtrail.amazonaws.com'),
          new ServicePrincipal('delivery.logs.amazonaws.com'),
          new ServicePrincipal('config.amazonaws.com'),
        ],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [archive.bucketArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    archive.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AwsLogDeliveryWrite',
        principals: [
          new ServicePrincipal('cloudtrail.amazonaws.com'),
          new ServicePrincipal('delivery.logs.amazonaws.com'),
          new ServicePrincipal('config.amazonaws.com'),
        ],
        actions: ['s3:PutObject'],
        resources: [
          archive.arnForObjects(`AWSLogs/${this.account}/*`),
          archive.arnForObjects('vpc-flow-logs/AWSLogs/*'),
        ],
        conditions: {
          StringEquals: {
            's3:x-amz-acl': 'bucket-owner-full-control',
            'aws:SourceAccount': this.account,
          },
        },
      }),
    );

    const topic = new Topic(this, 'AlertsTopic', {
      displayName: `Storefront ${config.name} security and availability alerts`,
      masterKey: auditKey,
      enforceSSL: true,
    });
    topic.addSubscription(new EmailSubscription(config.alertEmail));
    for (const service of [
      'budgets.amazonaws.com',
      'events.amazonaws.com',
      'costalerts.amazonaws.com',
    ]) {
      topic.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal(service)],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }
    this.alertsTopic = topic;
    this.alertAction = new SnsAction(topic);

    if (config.singleAccount) {
      this.createTrailAndAlarms(config, auditKey, archive);
      this.createThreatDetection(config);
    }
    this.createConfigWithRemediation(archive, auditKey);
    this.createBudgets(config, topic);
  }

  /** Multi-region trail with validation and KMS, mirrored to CloudWatch Logs for the CIS alarms. */
  private createTrailAndAlarms(config: EnvironmentConfig, key: Key, archive: IBucket): void {
    const trailLogGroup = new LogGroup(this, 'TrailLogGroup', {
      encryptionKey: key,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const trail = new Trail(this, 'Trail', {
      trailName: `storefront-${config.name}`,
      bucket: archive,
      encryptionKey: key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: trailLogGroup,
      managementEvents: ReadWriteType.ALL,
    });
    trail.node.addDependency(archive);

    for (const call of SENSITIVE_CALLS) {
      const filter = new MetricFilter(this, `${call.id}Filter`, {
        logGroup: trailLogGroup,
        filterPattern: FilterPattern.literal(call.pattern),
        metricNamespace: 'Storefront/SensitiveApiCalls',
        metricName: call.id,
        metricValue: '1',
      });
      const alarm = new Alarm(this, `${call.id}Alarm`, {
        alarmDescription: call.description,
        metric: filter.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(this.alertAction);
    }
  }

  /** GuardDuty with S3, RDS and runtime protection, Security Hub standards, Access Analyzer. */
  private createThreatDetection(config: EnvironmentConfig): void {
    new CfnDetector(this, 'GuardDuty', {
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
      features: [
        { name: 'S3_DATA_EVENTS', status: 'ENABLED' },
        { name: 'RDS_LOGIN_EVENTS', status: 'ENABLED' },
        { name: 'EBS_MALWARE_PROTECTION', status: 'ENABLED' },
        {
          name: 'RUNTIME_MONITORING',
          status: 'ENABLED',
          additionalConfiguration: [{ name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' }],
        },
      ],
    });
    new Rule(this, 'GuardDutyHighSeverity', {
      description: 'GuardDuty findings of severity 7 or more go to the alert topic',
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', 7] }] },
      },
      targets: [new SnsTopic(this.alertsTopic)],
    });

    const hub = new CfnHub(this, 'SecurityHub', {
      enableDefaultStandards: false,
      controlFindingGenerator: 'SECURITY_CONTROL',
      autoEnableControls: true,
    });
    for (const standard of SECURITY_HUB_STANDARDS) {
      const name = standard.split('/')[0] ?? standard;
      new CfnStandard(this, `Standard-${name}`, {
        standardsArn: `arn:${this.partition}:securityhub:${this.region}::standards/${standard}`,
      }).addResourceDependency(hub);
    }

    new CfnAnalyzer(this, 'AccessAnalyzer', {
      type: 'ACCOUNT',
      analyzerName: `storefront-${config.name}`,
    });
  }

  /**
   * AWS Config recording every resource, with rules on public buckets; a bucket made public is
   * made private again by an automatic SSM remediation.
   */
  private createConfigWithRemediation(archive: IBucket, auditKey: Key): void {
    const configRole = new Role(this, 'ConfigRecorderRole', {
      assumedBy: new ServicePrincipal('config.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    configRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DeliverConfigSnapshots',
        actions: ['s3:PutObject'],
        resources: [archive.arnForObjects(`AWSLogs/${this.account}/Config/*`)],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
    configRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'CheckArchiveBucket',
        actions: ['s3:GetBucketAcl'],
        resources: [archive.bucketArn],
      }),
    );
    configRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EncryptConfigSnapshots',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [auditKey.keyArn],
      }),
    );
    const recorder = new CfnConfigurationRecorder(this, 'ConfigRecorder', {
      roleArn: configRole.roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
    });
    const channel = new CfnDeliveryChannel(this, 'ConfigDeliveryChannel', {
      s3BucketName: archive.bucketName,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });

    const publicAccessRule = new ManagedRule(this, 'S3BucketLevelPublicAccessProhibited', {
      identifier: ManagedRuleIdentifiers.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED,
      description: 'Every bucket blocks public access at bucket level',
    });
    for (const rule of [
      publicAccessRule,
      new ManagedRule(this, 'S3BucketPublicReadProhibited', {
        identifier: ManagedRuleIdentifiers.S3_BUCKET_PUBLIC_READ_PROHIBITED,
      }),
      new ManagedRule(this, 'S3BucketPublicWriteProhibited', {
        identifier: ManagedRuleIdentifiers.S3_BUCKET_PUBLIC_WRITE_PROHIBITED,
      }),
      new ManagedRule(this, 'S3BucketSslRequestsOnly', {
        identifier: ManagedRuleIdentifiers.S3_BUCKET_SSL_REQUESTS_ONLY,
      }),
    ]) {
      rule.node.addDependency(recorder);
      rule.node.addDependency(channel);
    }

    const remediationRole = new Role(this, 'PublicBucketRemediationRole', {
      assumedBy: new ServicePrincipal('ssm.amazonaws.com'),
      description: 'Assumed by SSM Automation to block public access on a bucket Config flags',
      inlinePolicies: {
        blockPublicAccess: new PolicyDocument({
          statements: [
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: ['s3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
              resources: ['arn:aws:s3:::*'],
            }),
          ],
        }),
      },
    });
    new CfnRemediationConfiguration(this, 'PublicBucketRemediation', {
      configRuleName: publicAccessRule.configRuleName,
      targetType: 'SSM_DOCUMENT',
      targetId: 'AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
      automatic: true,
      maximumAutomaticAttempts: 5,
      retryAttemptSeconds: 60,
      parameters: {
        AutomationAssumeRole: { StaticValue: { Values: [remediationRole.roleArn] } },
        BucketName: { ResourceValue: { Value: 'RESOURCE_ID' } },
        BlockPublicAcls: { StaticValue: { Values: ['true'] } },
        IgnorePublicAcls: { StaticValue: { Values: ['true'] } },
        BlockPublicPolicy: { StaticValue: { Values: ['true'] } },
        RestrictPublicBuckets: { StaticValue: { Values: ['true'] } },
      },
    });
  }

  /** Monthly cost budget (80 % actual, 100 % forecast) and a cost anomaly monitor. */
  private createBudgets(config: EnvironmentConfig, topic: ITopic): void {
    const subscribers = [
      { subscriptionType: 'SNS', address: topic.topicArn },
      { subscriptionType: 'EMAIL', address: config.alertEmail },
    ];
    new CfnBudget(this, 'MonthlyBudget', {
      budget: {
        budgetName: `storefront-${config.name}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: config.monthlyBudgetUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        {
          notification: {
            notificationType: 'ACTUAL',
            comparisonOperator: 'GREATER_THAN',
            threshold: 80,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
        {
          notification: {
            notificationType: 'FORECASTED',
            comparisonOperator: 'GREATER_THAN',
            threshold: 100,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
      ],
    });
    const monitor = new CfnAnomalyMonitor(this, 'CostAnomalyMonitor', {
      monitorName: `storefront-${config.name}-services`,
      monitorType: 'DIMENSIONAL',
      monitorDimension: 'SERVICE',
    });
    new CfnAnomalySubscription(this, 'CostAnomalySubscription', {
      subscriptionName: `storefront-${config.name}-anomalies`,
      frequency: 'IMMEDIATE',
      monitorArnList: [monitor.attrMonitorArn],
      subscribers: [{ type: 'SNS', address: topic.topicArn }],
      thresholdExpression: Fn.toJsonString({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: ['100'],
        },
      }),
    });
  }
}
