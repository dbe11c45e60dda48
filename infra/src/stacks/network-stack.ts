import { Stack, type StackProps } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
  type ISecurityGroup,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.ts';

/** Subnet group names of the three tiers, used by the other stacks to pick their subnets. */
export const SUBNET_TIERS = {
  /** Internet-facing tier: NAT gateways only (the ALB is internal, CloudFront reaches it privately). */
  public: 'public',
  /** Application tier with egress through NAT: ECS tasks, the internal ALB, VPC-origin ENIs. */
  application: 'application',
  /** Isolated data tier without any route to the internet: Aurora, RDS Proxy, ElastiCache. */
  data: 'data',
} as const;

/** TCP ports of the tiers; non-default database and cache ports (AwsSolutions-RDS11, AEC5). */
export const PORTS = {
  /** HTTPS listener of the internal ALB. */
  alb: 443,
  /** API container. */
  api: 3333,
  /** Web container. */
  web: 3000,
  /** RDS Proxy (listens on the engine's standard port). */
  proxy: { 'aurora-postgresql': 5432, 'aurora-mysql': 3306 },
  /** Aurora instances. */
  database: { 'aurora-postgresql': 5433, 'aurora-mysql': 3307 },
  /** ElastiCache primary and replicas. */
  cache: 6380,
  /** SES SMTP interface, implicit TLS (`smtps://`): the only way mail leaves. */
  smtp: 465,
} as const;

/** Host name of the SES SMTP interface in `region` (the VPC endpoint answers it privately). */
export function sesSmtpHost(region: string): string {
  return `email-smtp.${region}.amazonaws.com`;
}

/**
 * Every security group of the workload, created in one place so the whole east-west matrix can be
 * reviewed (and tested) at once. None admits anything from 0.0.0.0/0 or ::/0.
 */
export interface WorkloadSecurityGroups {
  /** Internal ALB: HTTPS from CloudFront's origin-facing prefix list only. */
  readonly alb: ISecurityGroup;
  /** API tasks: port 3333 from the ALB and from the web tasks (server-side rendering) only. */
  readonly api: ISecurityGroup;
  /** Web tasks: port 3000 from the ALB only; out to the API tasks on 3333. */
  readonly web: ISecurityGroup;
  /** One-off migration task: no ingress. */
  readonly migration: ISecurityGroup;
  /** Mail worker tasks: no ingress; the only group that reaches SES SMTP. */
  readonly mailWorker: ISecurityGroup;
  /** Scheduled audit-chain verification: no ingress; database only. */
  readonly auditVerify: ISecurityGroup;
  /**
   * RDS Proxy: database port from the API and migration tasks. (The Aurora and rotation-function
   * groups live in the data stack, because the cluster's port rules must sit beside the cluster.)
   */
  readonly databaseProxy: ISecurityGroup;
  /** ElastiCache: cache port from the API and mail worker tasks only. */
  readonly cache: ISecurityGroup;
}

/** Options of the {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
  /** Object-locked log-archive bucket receiving the VPC flow logs. */
  readonly logArchiveBucket: IBucket;
}

/**
 * The three-tier VPC over three availability zones: public / application (private with egress) /
 * data (isolated), one NAT gateway per AZ, flow logs of all traffic to the log archive, and VPC
 * endpoints so image pulls, secrets, KMS and logs never leave the AWS network.
 */
export class NetworkStack extends Stack {
  /** The VPC. */
  public readonly vpc: IVpc;
  /** The security groups of every tier. */
  public readonly securityGroups: WorkloadSecurityGroups;

  /** Creates the VPC, its flow logs and endpoints. */
  public constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(props.config.vpcCidr),
      maxAzs: 3,
      natGateways: props.config.natGateways,
      subnetConfiguration: [
        {
          name: SUBNET_TIERS.public,
          subnetType: SubnetType.PUBLIC,
          cidrMask: 22,
          // Only the NAT gateways live here, with their own Elastic IPs.
          mapPublicIpOnLaunch: false,
        },
        {
          name: SUBNET_TIERS.application,
          subnetType: SubnetType.PRIVATE_WITH_EGRESS,
          cidrMask: 20,
        },
        { name: SUBNET_TIERS.data, subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
      ],
      // The default security group of the VPC is stripped of its rules (CIS 5.4 / EC2.2).
      restrictDefaultSecurityGroup: true,
    });
    this.vpc = vpc;

    vpc.addFlowLog('FlowLogToArchive', {
      destination: FlowLogDestination.toS3(props.logArchiveBucket, 'vpc-flow-logs/'),
      trafficType: FlowLogTrafficType.ALL,
    });

    vpc.addGatewayEndpoint('S3Endpoint', { service: GatewayVpcEndpointAwsService.S3 });
    const interfaceEndpoints = {
      EcrApi: InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
      SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Kms: InterfaceVpcEndpointAwsService.KMS,
      Sts: InterfaceVpcEndpointAwsService.STS,
    };
    const endpointSg = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    endpointSg.addIngressRule(Peer.ipv4(props.config.vpcCidr), Port.tcp(443), 'HTTPS from the VPC');
    for (const [name, service] of Object.entries(interfaceEndpoints)) {
      vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [endpointSg],
        subnets: { subnetGroupName: SUBNET_TIERS.application },
      });
    }

    this.securityGroups = this.createSecurityGroups(vpc, props.config);

    // SES SMTP through a VPC endpoint when SES is in this region: the worker's SMTP traffic never
    // crosses the internet, and no other group can open an SMTP connection at all.
    if (props.config.mail.sesRegion === props.config.primaryRegion) {
      const smtpEndpointSg = new SecurityGroup(this, 'SmtpEndpointSecurityGroup', {
        vpc,
        description: 'SES SMTP VPC endpoint: SMTPS from the mail worker tasks only',
        allowAllOutbound: false,
      });
      smtpEndpointSg.addIngressRule(
        this.securityGroups.mailWorker,
        Port.tcp(PORTS.smtp),
        'SMTPS from the mail worker',
      );
      this.securityGroups.mailWorker.addEgressRule(
        smtpEndpointSg,
        Port.tcp(PORTS.smtp),
        'SMTPS to the SES VPC endpoint',
      );
      vpc.addInterfaceEndpoint('EmailSmtpEndpoint', {
        service: InterfaceVpcEndpointAwsService.EMAIL_SMTP,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [smtpEndpointSg],
        subnets: { subnetGroupName: SUBNET_TIERS.application },
      });
    } else {
      // SES in another EU region: through the NAT gateways, on the SMTPS port only.
      this.securityGroups.mailWorker.addEgressRule(
        Peer.anyIpv4(),
        Port.tcp(PORTS.smtp),
        `SMTPS to SES in ${props.config.mail.sesRegion}`,
      );
    }
  }

  private createSecurityGroups(vpc: Vpc, config: EnvironmentConfig): WorkloadSecurityGroups {
    const group = (id: string, description: string): SecurityGroup =>
      new SecurityGroup(this, id, { vpc, description, allowAllOutbound: false });
    const alb = group('AlbSecurityGroup', 'Internal ALB, reached only by CloudFront VPC origins');
    const api = group('ApiSecurityGroup', 'API tasks');
    const web = group('WebSecurityGroup', 'Web tasks');
    const migration = group('MigrationSecurityGroup', 'One-off database migration task');
    const mailWorker = group('MailWorkerSecurityGroup', 'Mail worker tasks');
    const auditVerify = group('AuditVerifySecurityGroup', 'Scheduled audit-chain verification');
    const databaseProxy = group('DatabaseProxySecurityGroup', 'RDS Proxy');
    const cache = group('CacheSecurityGroup', 'ElastiCache replication group');

    const proxyPort = Port.tcp(PORTS.proxy[config.database.engine]);
    const https = Port.tcp(443);

    alb.addIngressRule(
      Peer.prefixList(config.cloudFrontOriginFacingPrefixListId),
      Port.tcp(PORTS.alb),
      'HTTPS from CloudFront origin-facing servers (VPC origin)',
    );
    alb.addEgressRule(api, Port.tcp(PORTS.api), 'To API tasks');
    alb.addEgressRule(web, Port.tcp(PORTS.web), 'To web tasks');
    api.addIngressRule(alb, Port.tcp(PORTS.api), 'From the ALB');
    web.addIngressRule(alb, Port.tcp(PORTS.web), 'From the ALB');
    // Server-side rendering: the web tasks call the API tasks directly (Cloud Map name), on the
    // API port only; nothing else reaches the API but the ALB.
    web.addEgressRule(api, Port.tcp(PORTS.api), 'To API tasks (server-side rendering)');
    api.addIngressRule(web, Port.tcp(PORTS.api), 'From web tasks (server-side rendering)');

    api.addEgressRule(databaseProxy, proxyPort, 'To RDS Proxy');
    api.addEgressRule(cache, Port.tcp(PORTS.cache), 'To ElastiCache');
    migration.addEgressRule(databaseProxy, proxyPort, 'To RDS Proxy');
    mailWorker.addEgressRule(databaseProxy, proxyPort, 'To RDS Proxy');
    mailWorker.addEgressRule(cache, Port.tcp(PORTS.cache), 'To ElastiCache (mail queue)');
    auditVerify.addEgressRule(databaseProxy, proxyPort, 'To RDS Proxy');
    databaseProxy.addIngressRule(api, proxyPort, 'From API tasks');
    databaseProxy.addIngressRule(migration, proxyPort, 'From the migration task');
    databaseProxy.addIngressRule(mailWorker, proxyPort, 'From mail worker tasks');
    databaseProxy.addIngressRule(auditVerify, proxyPort, 'From the audit verification task');
    cache.addIngressRule(api, Port.tcp(PORTS.cache), 'From API tasks');
    cache.addIngressRule(mailWorker, Port.tcp(PORTS.cache), 'From mail worker tasks');

    // HTTPS out: VPC endpoints (ECR, Secrets Manager, KMS, logs, STS), S3 through the gateway
    // endpoint, and third parties (Stripe) through the NAT gateways.
    for (const [sg, who] of [
      [api, 'API'],
      [web, 'web'],
      [migration, 'migration'],
      [mailWorker, 'mail worker'],
      [auditVerify, 'audit verification'],
    ] as const) {
      sg.addEgressRule(Peer.anyIpv4(), https, `HTTPS out from ${who} (AWS APIs, Stripe)`);
    }
    return { alb, api, web, migration, mailWorker, auditVerify, databaseProxy, cache };
  }
}
