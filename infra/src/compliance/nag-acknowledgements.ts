import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StorefrontStacks } from '../app.ts';
import type { OrganisationStage } from '../stacks/organisation-stage.ts';

/** One acknowledged cdk-nag finding: where, which rule, and why it is accepted. */
export interface NagAcknowledgement {
  /** Construct (or stack) the acknowledgement applies to, with everything beneath it. */
  readonly scope: IConstruct;
  /** Rule id, with the `[finding]` suffix for rules that report several findings. */
  readonly id: string;
  /** Written reason, reviewed like code. */
  readonly reason: string;
}

/** Finds a construct by its path below `scope`; fails loudly when the path no longer exists. */
function at(scope: IConstruct, path: string): IConstruct {
  const found = scope.node.findAll().find((c) => c.node.path === `${scope.node.path}/${path}`);
  if (found === undefined) {
    throw new Error(`nag acknowledgement: no construct at ${scope.node.path}/${path}`);
  }
  return found;
}

/** `Resource` children of the given parents (the L1 the rules are evaluated on). */
function resources(scope: IConstruct, parents: string[]): IConstruct[] {
  return parents.map((parent) => at(scope, parent));
}

/**
 * Every cdk-nag acknowledgement of the project, each with its written reason: the one reviewed
 * place. Acknowledgements are as narrow as the rule allows (one finding on one construct);
 * stack-wide ones are used only where the reason holds for every resource of the stack.
 * Returns the list so tests and reports can count and inspect them.
 */
export function applyNagAcknowledgements(stacks: StorefrontStacks): NagAcknowledgement[] {
  const list: NagAcknowledgement[] = [];
  const ack = (scopes: IConstruct | IConstruct[], ids: string[], reason: string): void => {
    for (const scope of Array.isArray(scopes) ? scopes : [scopes]) {
      for (const id of ids) list.push({ scope, id, reason });
    }
  };
  const { securityBaseline, network, storage, data, delivery, application, edge } = stacks;
  const account = securityBaseline.account;

  // ---- Cross-cutting ------------------------------------------------------------------------
  ack(
    [securityBaseline, data, delivery, application, ...(stacks.drData ? [stacks.drData] : [])],
    ['PCI.DSS.321-IAMNoInlinePolicy'],
    'CDK grants produce AWS::IAM::Policy resources attached to exactly one role and scoped to ' +
      'named resources; they are reviewed in code with the role. Customer-managed policies would ' +
      'add indirection without reducing any permission.',
  );
  ack(
    [securityBaseline, storage, edge],
    ['PCI.DSS.321-S3BucketReplicationEnabled'],
    'Buckets are versioned and stored across ≥ 3 AZs of the primary region (11 nines durability); ' +
      'the log archive is Object-Locked. Cross-region replication to the DR region is a listed ' +
      'follow-up in docs/infra.md (it doubles storage cost and needs a replica key there).',
  );

  // ---- Security baseline --------------------------------------------------------------------
  ack(
    [securityBaseline.accessLogsBucket.node.defaultChild ?? securityBaseline.accessLogsBucket],
    ['PCI.DSS.321-S3DefaultEncryptionKMS'],
    'S3 server access log delivery supports SSE-S3 only on the target bucket; the bucket is ' +
      'private, TLS-only and versioned.',
  );
  ack(
    at(securityBaseline, 'ConfigRecorderRole'),
    ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]'],
    'AWS_ConfigRole is the AWS-maintained read-only policy for the Config recorder; it follows new ' +
      'resource types, which a hand-written copy would not.',
  );
  ack(
    at(securityBaseline, 'ConfigRecorderRole'),
    [`AwsSolutions-IAM5[Resource::<LogArchiveBucket6951A440.Arn>/AWSLogs/${account}/Config/*]`],
    'Config writes one object per snapshot under its own prefix of the log archive; the wildcard ' +
      'is the object key below that prefix.',
  );
  ack(
    at(securityBaseline, 'PublicBucketRemediationRole'),
    ['AwsSolutions-IAM5[Resource::arn:aws:s3:::*]'],
    'The remediation must be able to block public access on whichever bucket Config flags; the ' +
      'role can only Get/PutBucketPublicAccessBlock and only SSM Automation can assume it.',
  );

  // ---- Network ------------------------------------------------------------------------------
  ack(
    resources(network, ['Vpc/publicSubnet1', 'Vpc/publicSubnet2', 'Vpc/publicSubnet3']),
    ['PCI.DSS.321-VPCNoUnrestrictedRouteToIGW'],
    'The public tier holds only the NAT gateways, which need a default route to the internet ' +
      'gateway. No workload runs there (the ALB is internal; CloudFront reaches it by VPC origin).',
  );

  // ---- Storage ------------------------------------------------------------------------------
  ack(
    [storage.albLogsBucket.node.defaultChild ?? storage.albLogsBucket],
    ['PCI.DSS.321-S3DefaultEncryptionKMS'],
    'Elastic Load Balancing access logs can only be delivered to SSE-S3 buckets.',
  );
  ack(
    [storage.cdnLogsBucket.node.defaultChild ?? storage.cdnLogsBucket],
    ['PCI.DSS.321-S3DefaultEncryptionKMS'],
    'CloudFront standard logs can only be delivered to SSE-S3 buckets.',
  );

  // ---- Data ---------------------------------------------------------------------------------
  ack(
    at(data, 'CacheAuthToken'),
    ['AwsSolutions-SMG4'],
    'ElastiCache AUTH tokens cannot be rotated by a Secrets Manager hosted rotation; they are ' +
      'rotated with ModifyReplicationGroup AuthTokenUpdateStrategy=ROTATE (both tokens valid ' +
      'during the switch) by the runbook in docs/infra.md.',
  );
  ack(
    at(data, 'DatabaseSecurityGroup'),
    ['PCI.DSS.321-EC2RestrictedCommonPorts', 'PCI.DSS.321-EC2RestrictedSSH'],
    'The only rule the check cannot evaluate is the one DatabaseProxy adds with the cluster port ' +
      'as a token: it admits the proxy security group on the Aurora port, never a CIDR.',
  );

  ack(
    [
      at(data, 'Aurora/MonitoringRole'),
      ...(stacks.drData ? [at(stacks.drData, 'MonitoringRole')] : []),
    ],
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    ],
    'Enhanced Monitoring requires this AWS-maintained policy (write to the RDSOSMetrics log group ' +
      'only); only monitoring.rds.amazonaws.com can assume the role.',
  );

  // ---- Delivery -----------------------------------------------------------------------------
  ack(
    at(delivery, 'GitHubDeployRole'),
    [
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::${account}:role/cdk-hnb659fds-*]`,
    ],
    'ecr:GetAuthorizationToken has no resource-level permissions; the cdk-hnb659fds-* roles are the ' +
      'CDK bootstrap roles (deploy, file/image publishing, lookup) the deploy job assumes.',
  );

  // ---- Application --------------------------------------------------------------------------
  const apiImageTasks = ['Api', 'MailWorker', 'Migration', 'AuditVerify'];
  ack(
    [...apiImageTasks, 'Web'].map((name) => at(application, `${name}TaskDefinition/ExecutionRole`)),
    ['AwsSolutions-IAM5[Resource::*]'],
    'The ECS execution role needs ecr:GetAuthorizationToken, which has no resource-level ' +
      'permissions; image pulls and secret reads are scoped to named repositories and secrets.',
  );
  ack(
    [...apiImageTasks, 'Web'].map((name) => at(application, `${name}TaskDefinition`)),
    ['AwsSolutions-ECS2'],
    'Plain environment variables carry non-secret configuration only (NODE_ENV, PORT, origins, ' +
      'bucket names, the KMS key ARN…); connection URLs, SMTP_URL and every key come from ' +
      'Secrets Manager, which test/architecture.spec.ts asserts.',
  );
  ack(
    at(application, 'AuditVerifyTaskDefinition/EventsRole'),
    ['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-3:*:task/<ClusterEB0386A7>/*]'],
    'EventBridge tags the audit:verify task it starts (ecs:TagResource); task ARNs are only ' +
      'known once started, so the resource is every task of this one cluster. RunTask itself ' +
      'is limited to the audit:verify task definition and PassRole to its two roles.',
  );
  ack(
    ['AuditHmacKey', 'LogPseudonymKey'].map((name) => at(application, name)),
    ['AwsSolutions-SMG4'],
    'HMAC keys of the audit chain and of log pseudonyms cannot be swapped by a rotation Lambda: ' +
      'the audit key is rotated with AUDIT_HMAC_PREVIOUS_KEYS so old rows still verify, and a ' +
      'new pseudonym key breaks correlation with older logs by design; both are rotated by ' +
      'the runbooks (docs/runbooks/audit-verify.md, key-rotation.md).',
  );
  ack(
    at(application, 'AuditHmacPreviousKeys'),
    ['AwsSolutions-SMG4'],
    'AUDIT_HMAC_PREVIOUS_KEYS holds the retired audit chain keys that audit:verify checks old rows ' +
      'with: its value is the former AUDIT_HMAC_KEY, written by the operator during the chain-key ' +
      'rotation (docs/runbooks/audit-verify.md). A timed rotation would drop keys rows still need.',
  );
  ack(
    ['BlindIndexKeySeed', 'BlindIndexKey'].map((name) => at(application, name)),
    ['AwsSolutions-SMG4'],
    'Changing the blind-index key orphans every stored index until they are recomputed, so it is ' +
      'rotated only by the key-rotation runbook (new key, re-index, switch), never on a timer.',
  );
  ack(
    at(application, 'SmtpUrl'),
    ['AwsSolutions-SMG4'],
    'SMTP_URL holds SES SMTP credentials derived from an IAM access key, which no hosted ' +
      'rotation can compute; the operator rotates the access key and rewrites the secret as ' +
      'described in docs/infra.md (IAM Access Analyzer reports unused or old keys).',
  );
  ack(
    ['StripeSecretKey', 'StripeWebhookSecret', 'StripePublishableKey'].map((name) =>
      at(application, name),
    ),
    ['AwsSolutions-SMG4'],
    'Stripe keys are issued by Stripe, not by AWS: a hosted rotation Lambda cannot roll them. ' +
      'The operator rolls a key in the Stripe dashboard (with an overlap window) and rewrites the ' +
      'secret (docs/runbooks/leaked-secret-or-key.md, Stripe section).',
  );
  ack(
    at(application, 'ApiTaskDefinition/TaskRole'),
    [
      `AwsSolutions-IAM5[Resource::${storage.stackName}:ExportsOutputFnGetAttUploadsBucketC4B27CC7Arn515ECA45/incoming/*]`,
      `AwsSolutions-IAM5[Resource::${storage.stackName}:ExportsOutputFnGetAttInvoicesBucketB61C805DArnB9106C41/*]`,
    ],
    'The API presigns PUT/GET of individual objects whose keys it generates; the wildcard is the ' +
      'object key under one prefix of one bucket.',
  );
  ack(
    ['ApiDatabaseUrl', 'MigrationDatabaseUrl'].map((name) => at(application, name)),
    ['AwsSolutions-SMG4'],
    'These secrets hold connection URLs without any credential: the RDS Proxy requires IAM ' +
      'authentication, so the task signs a 15-minute token with its role. Nothing to rotate.',
  );
  ack(
    at(application, 'RedisUrl'),
    ['AwsSolutions-SMG4'],
    'REDIS_URL embeds the ElastiCache AUTH token resolved at deploy time; it is rotated with the ' +
      'token (ROTATE strategy, then a redeploy) as described in docs/infra.md.',
  );
  ack(
    at(application, 'LoadBalancer'),
    ['PCI.DSS.321-ALBWAFEnabled'],
    'The ALB is internal and admits only CloudFront origin-facing addresses; the WAF web ACL is ' +
      'attached to the CloudFront distribution in front of it (edge stacks).',
  );

  // ---- Edge ---------------------------------------------------------------------------------
  ack(
    at(edge, 'Distribution'),
    ['AwsSolutions-CFR1'],
    'An international shop sells worldwide, so no country is blocked at the edge; abuse is handled ' +
      'by the WAF (IP reputation, anonymous IPs, rate rules, Bot Control). Data stays in the EU ' +
      'because the origins are there, not because of viewer geography.',
  );

  for (const entry of list) {
    Validations.of(entry.scope).acknowledge({ id: entry.id, reason: entry.reason });
  }
  return list;
}

/** The acknowledgements of the organisation stage (same rules as above: narrow, reasoned). */
export function applyOrganisationAcknowledgements(stage: OrganisationStage): NagAcknowledgement[] {
  const list: NagAcknowledgement[] = [
    {
      scope: stage.logArchive,
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason:
        'The organisation trail bucket is Object-Locked (compliance mode) and versioned across ≥ 3 ' +
        'AZs; CloudTrail digest files make any loss detectable. Cross-region replication is a ' +
        'listed follow-up in docs/infra.md.',
    },
    {
      scope: stage.management,
      id: 'PCI.DSS.321-IAMNoInlinePolicy',
      reason:
        'The only policy is the one CDK attaches to the trail role (logs:CreateLogStream and ' +
        'PutLogEvents on the trail log group); a managed policy would add indirection only.',
    },
    {
      scope: at(stage.logArchive, 'AccessLogs'),
      id: 'PCI.DSS.321-S3DefaultEncryptionKMS',
      reason:
        'S3 server access log delivery supports SSE-S3 only on the target bucket; the bucket is ' +
        'private, TLS-only and versioned.',
    },
  ];
  for (const entry of list) {
    Validations.of(entry.scope).acknowledge({ id: entry.id, reason: entry.reason });
  }
  return list;
}
