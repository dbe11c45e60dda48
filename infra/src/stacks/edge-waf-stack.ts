import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Certificate,
  CertificateValidation,
  type ICertificate,
} from 'aws-cdk-lib/aws-certificatemanager';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { CfnIPSet, CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.ts';
import { wafLogBucketName } from './storage-stack.ts';

/** Requests per client IP per five minutes above which WAF blocks: whole site, auth, checkout. */
export const RATE_LIMITS = { global: 3000, auth: 100, checkout: 60 } as const;

/** AWS managed rule groups on the web ACL, in evaluation order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesAnonymousIpList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
  'AWSManagedRulesBotControlRuleSet',
] as const;

/** Options of the {@link EdgeWafStack}. */
export interface EdgeWafStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
  /**
   * Maintenance mode (`-c storefront:maintenance=on`): WAF answers 503 with a static page to
   * everyone outside the staff allow-list (docs/runbooks/maintenance-mode.md).
   */
  readonly maintenance: boolean;
}

/**
 * The us-east-1 part of the edge, which AWS requires there for CloudFront: the WAF web ACL
 * (managed rule groups, a global rate rule and tighter ones on `/api/auth/*` and checkout, Bot
 * Control scoped to `/api/`, optional maintenance rule), its logging to the EU log bucket with
 * cookies and authorization redacted, the CloudFront certificate, and the alarm on blocked
 * requests. No customer data is stored in this region.
 */
export class EdgeWafStack extends Stack {
  /** The web ACL attached to the distribution. */
  public readonly webAcl: CfnWebACL;
  /** Certificate of the public domain (CloudFront only accepts us-east-1 certificates). */
  public readonly certificate: ICertificate;

  /** Creates the web ACL, its logging, the certificate and the alarm. */
  public constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = `storefront-${config.name}`;
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const pathStartsWith = (path: string): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'STARTS_WITH',
        searchString: path,
        textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
      },
    });
    const rateRule = (
      ruleName: string,
      priority: number,
      limit: number,
      scopeDown?: CfnWebACL.StatementProperty,
    ): CfnWebACL.RuleProperty => ({
      name: ruleName,
      priority,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: {
          limit,
          evaluationWindowSec: 300,
          aggregateKeyType: 'IP',
          scopeDownStatement: scopeDown,
        },
      },
      visibilityConfig: visibility(ruleName),
    });
    const managed = (
      group: (typeof MANAGED_RULE_GROUPS)[number],
      priority: number,
      extra: Partial<CfnWebACL.ManagedRuleGroupStatementProperty> = {},
    ): CfnWebACL.RuleProperty => ({
      name: group,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group, ...extra } },
      visibilityConfig: visibility(group),
    });

    const staff = new CfnIPSet(this, 'StaffAllowList', {
      name: `${name}-staff-allowlist`,
      scope: 'CLOUDFRONT',
      ipAddressVersion: 'IPV4',
      addresses: [...config.staffAllowlistCidrs],
      description: 'Staff networks that still reach the site in maintenance mode',
    });

    const rules: CfnWebACL.RuleProperty[] = [
      managed('AWSManagedRulesAmazonIpReputationList', 10),
      managed('AWSManagedRulesAnonymousIpList', 20),
      rateRule('rate-global', 30, RATE_LIMITS.global),
      rateRule('rate-auth', 40, RATE_LIMITS.auth, pathStartsWith('/api/auth/')),
      rateRule('rate-checkout', 50, RATE_LIMITS.checkout, pathStartsWith('/api/checkout')),
      managed('AWSManagedRulesCommonRuleSet', 60),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 70),
      managed('AWSManagedRulesSQLiRuleSet', 80),
      managed('AWSManagedRulesBotControlRuleSet', 90, {
        managedRuleGroupConfigs: [
          { awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } },
        ],
        scopeDownStatement: pathStartsWith('/api/'),
      }),
    ];
    if (props.maintenance) {
      rules.unshift({
        name: 'maintenance-mode',
        priority: 0,
        action: {
          block: {
            customResponse: {
              responseCode: 503,
              customResponseBodyKey: 'maintenance',
              responseHeaders: [
                { name: 'retry-after', value: '900' },
                { name: 'cache-control', value: 'no-store' },
              ],
            },
          },
        },
        statement: {
          notStatement: { statement: { ipSetReferenceStatement: { arn: staff.attrArn } } },
        },
        visibilityConfig: visibility('maintenance-mode'),
      });
    }

    const webAcl = new CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      rules,
      customResponseBodies: {
        maintenance: {
          contentType: 'TEXT_HTML',
          content:
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Maintenance</title>' +
            '<body style="font-family:sans-serif;max-width:40em;margin:4em auto">' +
            '<h1>We will be back shortly</h1><p>The shop is under maintenance. Your cart is kept.</p>' +
            '<p lang="fr">La boutique est en maintenance. Votre panier est conservé.</p></body></html>',
        },
      },
    });
    this.webAcl = webAcl;

    new CfnLoggingConfiguration(this, 'WebAclLogging', {
      resourceArn: webAcl.attrArn,
      // An EU bucket (storage stack): WAF logs hold client IPs and URLs, personal data.
      logDestinationConfigs: [`arn:${this.partition}:s3:::${wafLogBucketName(config)}`],
      redactedFields: [
        { singleHeader: { Name: 'cookie' } },
        { singleHeader: { Name: 'authorization' } },
      ],
    });

    this.certificate = new Certificate(this, 'Certificate', {
      domainName: config.domainName,
      validation: CertificateValidation.fromDns(),
    });

    // Alarm actions must publish to a topic of this region.
    const key = new Key(this, 'EdgeAlertsKey', {
      alias: `alias/${name}-edge-alerts`,
      description: 'Encrypts the edge alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const topic = new Topic(this, 'EdgeAlerts', {
      displayName: `Storefront ${config.name} edge alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addSubscription(new EmailSubscription(config.alertEmail));
    const blocked = new Alarm(this, 'WafBlockedRequestsAlarm', {
      alarmDescription:
        'WAF blocked more than 5000 requests in 5 minutes: attack in progress or a false positive',
      metric: new Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: name, Rule: 'ALL' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 5000,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    blocked.addAlarmAction(new SnsAction(topic));
  }
}
