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
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IDatabaseProxy } from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, ServiceSizing } from '../config/environments.ts';
import { DATABASE_USERS, databaseUrl } from './data-stack.ts';
import { PORTS, SUBNET_TIERS, type WorkloadSecurityGroups } from './network-stack.ts';

/** Proxy hops in front of the tasks that may set `X-Forwarded-For`: CloudFront and the ALB. */
export const TRUSTED_PROXY_HOPS = 2;

/** Numeric uid:gid the containers run as (the `node` user of the official Node images). */
export const CONTAINER_USER = '1000:1000';

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

/**
 * The application tier: an ECS Fargate cluster running the API and the web app (≥ 3 tasks over
 * three AZs each, target tracking plus scheduled scaling for flash sales, circuit breaker with
 * rollback, read-only root filesystem, non-root user, secrets from Secrets Manager), a one-off
 * migration task, and the internal ALB (HTTPS, invalid headers dropped, access logs) that only
 * CloudFront reaches, with alarms on 5xx and latency.
 */
export class ApplicationStack extends Stack {
  /** The internal ALB, origin of CloudFront's `/api/*` and page behaviours. */
  public readonly loadBalancer: ApplicationLoadBalancer;
  /** The API service. */
  public readonly apiService: FargateService;
  /** The web service. */
  public readonly webService: FargateService;
  /** Task definition of the one-off migration (`node apps/api/dist/cli.js migrate`). */
  public readonly migrationTaskDefinition: FargateTaskDefinition;

  private readonly config: EnvironmentConfig;
  private readonly cluster: Cluster;
  private readonly logKey: IKey;

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
        PORT: String(PORTS.api),
        REDIS_KEY_PREFIX: `storefront:${config.name}:`,
        DATABASE_AUTH: 'iam',
        UPLOADS_BUCKET: props.uploadsBucket.bucketName,
        INVOICES_BUCKET: props.invoicesBucket.bucketName,
      },
      secrets: {
        DATABASE_URL: EcsSecret.fromSecretsManager(apiDatabaseUrl),
        REDIS_URL: EcsSecret.fromSecretsManager(redisUrl),
      },
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

    this.webService = this.createService(listener, 100, ['/*'], {
      name: 'Web',
      repository: props.webRepository,
      imageTag: webTag.valueAsString,
      port: PORTS.web,
      livenessPath: '/healthz',
      readinessPath: '/healthz',
      sizing: config.web,
      securityGroup: securityGroups.web,
      environment: { ...common, PORT: String(PORTS.web) },
      secrets: {},
    });

    this.migrationTaskDefinition = this.createMigrationTask(
      props.apiRepository,
      apiTag.valueAsString,
      migrationDatabaseUrl,
    );
    props.databaseProxy.grantConnect(
      this.migrationTaskDefinition.taskRole,
      DATABASE_USERS.migrator,
    );

    this.createAlarms(loadBalancer, props.alertAction);
  }

  private createLogKey(config: EnvironmentConfig): IKey {
    const key = new Key(this, 'AppKey', {
      alias: `alias/storefront-${config.name}-application`,
      description: 'Encrypts the application log groups and connection secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:*`,
          },
        },
      }),
    );
    return key;
  }

  private taskDefinition(
    name: string,
    sizing: Pick<ServiceSizing, 'cpu' | 'memoryMiB'>,
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

  private createMigrationTask(
    repository: IRepository,
    imageTag: string,
    migrationDatabaseUrl: ISecret,
  ): FargateTaskDefinition {
    const definition = this.taskDefinition('Migration', { cpu: 512, memoryMiB: 1024 });
    this.container(
      definition,
      'Migration',
      ContainerImage.fromEcrRepository(repository, imageTag),
      {
        command: ['node', 'apps/api/dist/cli.js', 'migrate'],
        environment: { NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_AUTH: 'iam' },
        secrets: { MIGRATION_DATABASE_URL: EcsSecret.fromSecretsManager(migrationDatabaseUrl) },
      },
    );
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
