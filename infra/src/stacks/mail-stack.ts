import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Group, ManagedPolicy, PolicyStatement, User } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { mailFromAddress, mailFromDomain, type EnvironmentConfig } from '../config/environments.ts';

/** Options of the {@link MailStack}. */
export interface MailStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
}

/**
 * Transactional email through Amazon SES in an EU region (`mail.sesRegion`): the sender domain
 * as a DKIM-signed identity, a configuration set that requires TLS towards recipients' servers
 * and suppresses bounced or complaining addresses, and the SMTP sender: an IAM user without
 * console access that may only `ses:SendRawEmail` from `MAIL_FROM` through this identity.
 *
 * SES SMTP passwords are derived from an IAM access key with a one-way function CloudFormation
 * cannot compute, so the access key (and the `SMTP_URL` secret built from it) is created once by
 * an operator (docs/infra.md, "Bootstrap and deploy"). No access key is defined here: none can
 * leak through a template, a stack output or CloudFormation's own records.
 */
export class MailStack extends Stack {
  /** The SES identity of the sender domain. */
  public readonly identity: EmailIdentity;
  /** Configuration set every message is sent with (the identity's default). */
  public readonly configurationSet: ConfigurationSet;
  /** The IAM user whose derived SMTP credentials the mail worker uses. */
  public readonly smtpUser: User;

  /** Creates the identity, configuration set and SMTP sender. */
  public constructor(scope: Construct, id: string, props: MailStackProps) {
    super(scope, id, props);
    const { config } = props;
    const domain = mailFromDomain(config.mail.from);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `storefront-${config.name}`,
      // Password-reset and verification links are never handed to a server in clear text.
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new EmailIdentity(this, 'SenderDomain', {
      identity: Identity.domain(domain),
      configurationSet: this.configurationSet,
      dkimSigning: true,
    });
    // Easy DKIM: SES signs once these three CNAMEs exist in the sender domain's DNS zone.
    const dkimRecords = [
      [this.identity.dkimDnsTokenName1, this.identity.dkimDnsTokenValue1],
      [this.identity.dkimDnsTokenName2, this.identity.dkimDnsTokenValue2],
      [this.identity.dkimDnsTokenName3, this.identity.dkimDnsTokenValue3],
    ] as const;
    dkimRecords.forEach(([name, value], index) => {
      new CfnOutput(this, `DkimRecord${String(index + 1)}`, {
        description: `DKIM record ${String(index + 1)} of ${domain}: create it as a CNAME`,
        value: `${name} CNAME ${value}`,
      });
    });

    const sendPolicy = new ManagedPolicy(this, 'SmtpSendPolicy', {
      description: `Send mail through SES SMTP from ${mailFromAddress(config.mail.from)} only`,
      statements: [
        new PolicyStatement({
          sid: 'SendFromTheShopAddressOnly',
          actions: ['ses:SendRawEmail'],
          resources: [
            this.identity.emailIdentityArn,
            this.formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: this.configurationSet.configurationSetName,
            }),
          ],
          conditions: {
            StringEquals: { 'ses:FromAddress': mailFromAddress(config.mail.from) },
          },
        }),
      ],
    });
    const senders = new Group(this, 'SmtpSenders', {
      groupName: `storefront-${config.name}-ses-smtp-senders`,
      managedPolicies: [sendPolicy],
    });
    // No password (no console), no access key in the template: see the class comment.
    this.smtpUser = new User(this, 'SmtpSender', {
      userName: `storefront-${config.name}-ses-smtp`,
      groups: [senders],
    });
  }
}
