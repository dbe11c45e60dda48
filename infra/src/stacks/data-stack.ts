import { allowLogGroupsOfThisAccount } from '../constructs/log-encryption.ts';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  InstanceType,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  type ISecurityGroup,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2';
import { CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AuroraMysqlEngineVersion,
  AuroraPostgresEngineVersion,
  CfnEventSubscription,
  CfnGlobalCluster,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  DatabaseProxy,
  DefaultAuthScheme,
  ParameterGroup,
  ProxyTarget,
  type IClusterEngine,
} from 'aws-cdk-lib/aws-rds';
import { HostedRotation, Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DatabaseEngineFamily, EnvironmentConfig } from '../config/environments.ts';
import { PORTS, SUBNET_TIERS, type WorkloadSecurityGroups } from './network-stack.ts';

/** Database users the workload connects as (created by the bootstrap runbook, granted `rds_iam`). */
export const DATABASE_USERS = {
  /** Used by the API at run time: DML only. */
  app: 'storefront_app',
  /** Used by the one-off migration task: owns the schema. */
  migrator: 'storefront_migrator',
} as const;

/**
 * The KMS encryption context every data key of field encryption is wrapped under: the API's
 * `dataKeyEncryptionContext(keyId)` in libs/crypto (`{ purpose, keyId }`; a test keeps the two in
 * step). The key policy refuses any other purpose, and the task roles may only use the key with
 * exactly these context keys.
 */
export const FIELD_ENCRYPTION_CONTEXT = {
  /** Value of the `purpose` context key. */
  purpose: 'storefront-field-encryption',
  /** The context keys a request must carry (and nothing else). */
  keys: ['purpose', 'keyId'],
} as const;

/**
 * Key-policy statement of the field-encryption key (and of its DR replica): no principal, not even
 * an account administrator, can use the key for anything but wrapping and unwrapping field data
 * keys, so it cannot become a general-purpose decryption oracle.
 */
export function fieldEncryptionOnlyStatement(): PolicyStatement {
  return new PolicyStatement({
    sid: 'DenyUseOutsideFieldEncryption',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: {
      StringNotEquals: { 'kms:EncryptionContext:purpose': FIELD_ENCRYPTION_CONTEXT.purpose },
    },
  });
}

/** Name of the application database. */
export const DATABASE_NAME = 'storefront';

/** Engine, parameters and exported logs of each supported family. */
interface EngineSettings {
  readonly engine: IClusterEngine;
  readonly parameters: Record<string, string>;
  readonly logExports: string[];
}

/**
 * `DATABASE_URL` of one user through the RDS Proxy. It carries no password: the proxy requires
 * IAM authentication, so the client signs a 15-minute token with its task role.
 */
export function databaseUrl(
  family: DatabaseEngineFamily,
  proxyEndpoint: string,
  user: string,
): string {
  const scheme = family === 'aurora-mysql' ? 'mysql' : 'postgresql';
  const tls = family === 'aurora-mysql' ? 'ssl-mode=VERIFY_IDENTITY' : 'sslmode=verify-full';
  return `${scheme}://${user}@${proxyEndpoint}:${PORTS.proxy[family]}/${DATABASE_NAME}?${tls}`;
}

function engineSettings(family: DatabaseEngineFamily): EngineSettings {
  if (family === 'aurora-mysql') {
    return {
      engine: DatabaseClusterEngine.auroraMysql({ version: AuroraMysqlEngineVersion.VER_3_12_0 }),
      parameters: { require_secure_transport: 'ON', tls_version: 'TLSv1.2,TLSv1.3' },
      logExports: ['error', 'slowquery', 'audit'],
    };
  }
  return {
    engine: DatabaseClusterEngine.auroraPostgres({ version: AuroraPostgresEngineVersion.VER_17_9 }),
    parameters: {
      'rds.force_ssl': '1',
      ssl_min_protocol_version: 'TLSv1.2',
      log_connections: '1',
      log_disconnections: '1',
      // Every schema change (including disabling the audit trail's trigger) leaves a log line.
      log_statement: 'ddl',
    },
    logExports: ['postgresql'],
  };
}

/** Options of the {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
  /** The workload VPC. */
  readonly vpc: IVpc;
  /** Security groups of every tier. */
  readonly securityGroups: WorkloadSecurityGroups;
  /** Encrypted topic receiving the database failover events. */
  readonly alertsTopic: ITopic;
}

/**
 * The data tier: an Aurora cluster (writer + readers over three AZs, customer-managed key, deletion
 * protection, 35-day PITR, TLS required, logs exported, rotated admin secret) behind an RDS Proxy
 * with end-to-end IAM authentication, optionally the primary of an Aurora Global Database; and an
 * ElastiCache (Valkey/Redis) replication group, multi-AZ with automatic failover, TLS required,
 * encrypted with the same key, AUTH token from Secrets Manager.
 */
export class DataStack extends Stack {
  /** Customer-managed key of the data tier (Aurora, ElastiCache, secrets, logs). */
  public readonly key: IKey;
  /**
   * KEK of field-level encryption (`FIELD_ENCRYPTION_KMS_KEY_ID`): wraps the data keys of the
   * personal-data columns. Multi-Region, so a replica in the DR region can unwrap them there.
   */
  public readonly fieldEncryptionKey: IKey;
  /** The Aurora cluster. */
  public readonly cluster: DatabaseCluster;
  /** The RDS Proxy the tasks connect to (IAM authentication, TLS required). */
  public readonly proxy: DatabaseProxy;
  /** AUTH token of the ElastiCache replication group. */
  public readonly cacheAuthToken: ISecret;
  /** Primary endpoint (`host:port`) of the replication group. */
  public readonly cacheEndpoint: string;
  /** Identifier of the Aurora Global Database, when a secondary region is configured. */
  public readonly globalClusterIdentifier?: string;

  /** Creates the data tier. */
  public constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config, vpc, securityGroups } = props;
    const dataSubnets = { subnetGroupName: SUBNET_TIERS.data };

    const key = new Key(this, 'DataKey', {
      alias: `alias/storefront-${config.name}-data`,
      description: 'Encrypts Aurora, ElastiCache, their secrets and logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupsOfThisAccount(key);
    this.key = key;
    this.fieldEncryptionKey = this.createFieldEncryptionKey(config);

    // The Aurora and rotation groups live beside the cluster (its port is a token of this stack).
    const databasePort = Port.tcp(PORTS.database[config.database.engine]);
    const databaseSg = new SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'Aurora instances: from RDS Proxy and the rotation function only',
      allowAllOutbound: false,
    });
    const rotationSg = new SecurityGroup(this, 'RotationSecurityGroup', {
      vpc,
      description: 'Secrets Manager rotation function of the admin secret',
      allowAllOutbound: false,
    });
    // RDS Proxy → Aurora (ingress here, egress on the proxy group) is added by DatabaseProxy.
    databaseSg.addIngressRule(rotationSg, databasePort, 'From the rotation function');
    rotationSg.addEgressRule(databaseSg, databasePort, 'To Aurora');
    rotationSg.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to Secrets Manager');

    const settings = engineSettings(config.database.engine);
    const instanceType = new InstanceType(config.database.instanceType);
    const instanceDefaults = {
      instanceType,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: key,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
    };
    // Log groups of the exported logs are created here (KMS, retention) before Aurora creates
    // unencrypted ones.
    const clusterIdentifier = `storefront-${config.name}`;
    const exportedLogGroups = settings.logExports.map(
      (log) =>
        new LogGroup(this, `AuroraLog-${log}`, {
          logGroupName: `/aws/rds/cluster/${clusterIdentifier}/${log}`,
          encryptionKey: key,
          retention: RetentionDays.ONE_YEAR,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
    );
    const cluster = new DatabaseCluster(this, 'Aurora', {
      clusterIdentifier,
      engine: settings.engine,
      parameterGroup: new ParameterGroup(this, 'ClusterParameters', {
        engine: settings.engine,
        description: 'TLS required',
        parameters: settings.parameters,
      }),
      port: PORTS.database[config.database.engine],
      defaultDatabaseName: DATABASE_NAME,
      credentials: Credentials.fromGeneratedSecret('storefront_admin', { encryptionKey: key }),
      writer: ClusterInstance.provisioned('Writer', instanceDefaults),
      readers: Array.from({ length: config.database.readers }, (_, index) =>
        ClusterInstance.provisioned(`Reader${index + 1}`, {
          ...instanceDefaults,
          promotionTier: 1,
        }),
      ),
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [databaseSg],
      storageEncrypted: true,
      storageEncryptionKey: key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: {
        retention: Duration.days(config.database.backupRetentionDays),
        preferredWindow: '01:00-02:00',
      },
      preferredMaintenanceWindow: 'tue:02:30-tue:03:30',
      iamAuthentication: true,
      cloudwatchLogsExports: settings.logExports,
      monitoringInterval: Duration.seconds(60),
      copyTagsToSnapshot: true,
    });
    for (const logGroup of exportedLogGroups) cluster.node.addDependency(logGroup);
    this.cluster = cluster;

    // The admin secret is for break-glass and bootstrap only; rotated every N days.
    cluster.secret?.addRotationSchedule('AdminRotation', {
      automaticallyAfter: Duration.days(config.database.credentialRotationDays),
      hostedRotation:
        config.database.engine === 'aurora-postgresql'
          ? HostedRotation.postgreSqlSingleUser(this.rotationOptions(vpc, rotationSg))
          : HostedRotation.mysqlSingleUser(this.rotationOptions(vpc, rotationSg)),
    });

    if (config.database.globalSecondaryRegion !== undefined) {
      const globalClusterIdentifier = `storefront-${config.name}-global`;
      new CfnGlobalCluster(this, 'GlobalCluster', {
        globalClusterIdentifier,
        sourceDbClusterIdentifier: cluster.clusterArn,
        deletionProtection: true,
      });
      this.globalClusterIdentifier = globalClusterIdentifier;
    }

    this.proxy = new DatabaseProxy(this, 'Proxy', {
      proxyTarget: ProxyTarget.fromCluster(cluster),
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [securityGroups.databaseProxy],
      requireTLS: true,
      iamAuth: true,
      defaultAuthScheme: DefaultAuthScheme.IAM_AUTH,
      idleClientTimeout: Duration.minutes(30),
      borrowTimeout: Duration.seconds(30),
      maxConnectionsPercent: 90,
    });

    new CfnEventSubscription(this, 'DatabaseFailoverEvents', {
      snsTopicArn: props.alertsTopic.topicArn,
      sourceType: 'db-cluster',
      sourceIds: [cluster.clusterIdentifier],
      eventCategories: ['failover', 'failure', 'maintenance', 'notification'],
      enabled: true,
    });

    const cache = this.createCache(config, vpc, securityGroups.cache, key);
    this.cacheAuthToken = cache.authToken;
    this.cacheEndpoint = cache.endpoint;
  }

  /**
   * A key of its own rather than the data key: that one is used by RDS, ElastiCache and Logs
   * through service grants, while this one must only ever wrap field data keys for the API
   * (its own key policy, its own CloudTrail trail of every unwrap, a lifecycle tied to the
   * wrapped keys stored in Aurora). Multi-Region from the start because that cannot be changed
   * later, and a region loss must not make the personal data unreadable in the DR region.
   */
  private createFieldEncryptionKey(config: EnvironmentConfig): IKey {
    const key = new Key(this, 'FieldEncryptionKey', {
      alias: `alias/storefront-${config.name}-field-encryption`,
      description: 'Wraps the data keys of field-level encryption (personal data columns)',
      enableKeyRotation: true,
      multiRegion: true,
      // Deleting it makes every sealed column unreadable: never with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(fieldEncryptionOnlyStatement());
    return key;
  }

  private rotationOptions(vpc: IVpc, securityGroup: ISecurityGroup) {
    return {
      vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
    };
  }

  /** The ElastiCache replication group and the `REDIS_URL` secret pointing at it. */
  private createCache(
    config: EnvironmentConfig,
    vpc: IVpc,
    securityGroup: ISecurityGroup,
    key: IKey,
  ): { authToken: ISecret; endpoint: string } {
    const authToken = new Secret(this, 'CacheAuthToken', {
      description: 'ElastiCache AUTH token',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const subnetGroup = new CfnSubnetGroup(this, 'CacheSubnets', {
      description: 'Isolated data subnets of the three AZs',
      subnetIds: vpc.selectSubnets({ subnetGroupName: SUBNET_TIERS.data }).subnetIds,
    });
    const logGroup = (name: string): LogGroup =>
      new LogGroup(this, `Cache${name}Log`, {
        encryptionKey: key,
        retention: RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const cache = new CfnReplicationGroup(this, 'Cache', {
      replicationGroupDescription: `Storefront ${config.name} sessions, rate limits, cache, queues`,
      engine: config.cache.engine,
      engineVersion: config.cache.engineVersion,
      cacheNodeType: config.cache.nodeType,
      numNodeGroups: 1,
      replicasPerNodeGroup: config.cache.replicas,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      port: PORTS.cache,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      kmsKeyId: key.keyArn,
      authToken: authToken.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      snapshotRetentionLimit: 7,
      snapshotWindow: '02:00-03:00',
      preferredMaintenanceWindow: 'tue:03:30-tue:04:30',
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          destinationDetails: {
            cloudWatchLogsDetails: { logGroup: logGroup('Slow').logGroupName },
          },
          logFormat: 'json',
          logType: 'slow-log',
        },
        {
          destinationType: 'cloudwatch-logs',
          destinationDetails: {
            cloudWatchLogsDetails: { logGroup: logGroup('Engine').logGroupName },
          },
          logFormat: 'json',
          logType: 'engine-log',
        },
      ],
    });
    return {
      authToken,
      endpoint: `${cache.attrPrimaryEndPointAddress}:${cache.attrPrimaryEndPointPort}`,
    };
  }
}
