import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  IpAddresses,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  AccountRootPrincipal,
  ManagedPolicy,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { CfnAlias, CfnReplicaKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AuroraMysqlEngineVersion,
  AuroraPostgresEngineVersion,
  CfnDBCluster,
  CfnDBClusterParameterGroup,
  CfnDBInstance,
  CfnDBSubnetGroup,
} from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.ts';
import { fieldEncryptionOnlyStatement } from './data-stack.ts';
import { PORTS } from './network-stack.ts';

/** Options of the {@link DrDataStack}. */
export interface DrDataStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
  /** Identifier of the Aurora Global Database created by the primary data stack. */
  readonly globalClusterIdentifier: string;
  /** ARN of the multi-Region field-encryption key of the primary data stack. */
  readonly fieldEncryptionKeyArn: string;
}

/**
 * The region-loss option: a read-only secondary cluster of the Aurora Global Database in a second
 * EU region (storage-level replication, typically < 1 s behind), encrypted with a key of that
 * region, in an isolated VPC with flow logs. On a region failure it is promoted with a global
 * failover and the application stacks are deployed next to it (docs/infra.md, "Region failure").
 */
export class DrDataStack extends Stack {
  /** The secondary cluster. */
  public readonly cluster: CfnDBCluster;
  /** Replica of the field-encryption key: unwraps the replicated data keys in this region. */
  public readonly fieldEncryptionKeyReplica: CfnReplicaKey;

  /** Creates the secondary VPC and cluster. */
  public constructor(scope: Construct, id: string, props: DrDataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const family = config.database.engine;

    const key = new Key(this, 'DrDataKey', {
      alias: `alias/storefront-${config.name}-dr-data`,
      description: 'Encrypts the Aurora Global Database secondary and its logs',
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

    // Sealed personal data replicates with the database; without this replica its data keys,
    // wrapped by the primary region's key, could not be unwrapped after a region loss.
    const replicaPolicy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'AccountAdministration',
          principals: [new AccountRootPrincipal()],
          actions: ['kms:*'],
          resources: ['*'],
        }),
        fieldEncryptionOnlyStatement(),
      ],
    });
    this.fieldEncryptionKeyReplica = new CfnReplicaKey(this, 'FieldEncryptionKeyReplica', {
      primaryKeyArn: props.fieldEncryptionKeyArn,
      description: 'DR replica of the field-encryption key (multi-Region)',
      enabled: true,
      keyPolicy: replicaPolicy,
      pendingWindowInDays: 30,
    });
    this.fieldEncryptionKeyReplica.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new CfnAlias(this, 'FieldEncryptionKeyReplicaAlias', {
      aliasName: `alias/storefront-${config.name}-field-encryption`,
      targetKeyId: this.fieldEncryptionKeyReplica.attrKeyId,
    });

    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.41.0.0/16'),
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'data', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
      ],
      restrictDefaultSecurityGroup: true,
    });
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogs', {
          encryptionKey: key,
          retention: RetentionDays.ONE_YEAR,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      ),
      trafficType: FlowLogTrafficType.ALL,
    });
    const securityGroup = new SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'Aurora secondary: no ingress until the application tier is deployed here',
      allowAllOutbound: false,
    });

    const subnets = new CfnDBSubnetGroup(this, 'Subnets', {
      dbSubnetGroupDescription: 'Isolated data subnets of the three AZs',
      subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId),
    });
    const engineVersion =
      family === 'aurora-postgresql'
        ? AuroraPostgresEngineVersion.VER_17_9.auroraPostgresFullVersion
        : AuroraMysqlEngineVersion.VER_3_12_0.auroraMysqlFullVersion;
    const parameters = new CfnDBClusterParameterGroup(this, 'ClusterParameters', {
      description: 'TLS required',
      family: family === 'aurora-postgresql' ? 'aurora-postgresql17' : 'aurora-mysql8.0',
      parameters:
        family === 'aurora-postgresql'
          ? { 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' }
          : { require_secure_transport: 'ON' },
    });

    const cluster = new CfnDBCluster(this, 'SecondaryCluster', {
      engine: family,
      engineVersion,
      globalClusterIdentifier: props.globalClusterIdentifier,
      dbClusterIdentifier: `storefront-${config.name}-secondary`,
      dbSubnetGroupName: subnets.ref,
      vpcSecurityGroupIds: [securityGroup.securityGroupId],
      dbClusterParameterGroupName: parameters.ref,
      port: PORTS.database[family],
      storageEncrypted: true,
      kmsKeyId: key.keyArn,
      deletionProtection: true,
      backupRetentionPeriod: config.database.backupRetentionDays,
      enableIamDatabaseAuthentication: true,
      enableCloudwatchLogsExports:
        family === 'aurora-postgresql' ? ['postgresql'] : ['error', 'slowquery', 'audit'],
      copyTagsToSnapshot: true,
    });
    cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    this.cluster = cluster;

    const monitoringRole = new Role(this, 'MonitoringRole', {
      assumedBy: new ServicePrincipal('monitoring.rds.amazonaws.com'),
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole'),
      ],
    });
    // Two instances in two AZs: after promotion the region runs a writer and a reader at once.
    for (const index of [1, 2]) {
      new CfnDBInstance(this, `Instance${index}`, {
        dbClusterIdentifier: cluster.ref,
        engine: family,
        dbInstanceClass: `db.${config.database.instanceType}`,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        monitoringInterval: Duration.seconds(60).toSeconds(),
        monitoringRoleArn: monitoringRole.roleArn,
        enablePerformanceInsights: true,
        performanceInsightsKmsKeyId: key.keyArn,
        promotionTier: index,
      });
    }
  }
}
