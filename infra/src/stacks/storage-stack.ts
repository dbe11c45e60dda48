import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { HttpMethods, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.ts';
import { SecureBucket } from '../constructs/secure-bucket.ts';

/** How long a presigned URL stays usable: S3 refuses older signatures (milliseconds). */
export const MAX_PRESIGNED_URL_AGE_MS = 10 * 60 * 1000;

/**
 * Name of the bucket receiving the WAF logs. WAF requires the `aws-waf-logs-` prefix; the name is
 * derived from the configuration so the us-east-1 edge stack can reference it without a
 * cross-region export.
 */
export function wafLogBucketName(config: EnvironmentConfig): string {
  return `aws-waf-logs-storefront-${config.name}-${config.account}`;
}

/** Options of the {@link StorageStack}. */
export interface StorageStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
  /** Bucket receiving the S3 server access logs. */
  readonly accessLogsBucket: IBucket;
}

/**
 * Private buckets of the storefront: customer uploads (presigned PUT/POST only), invoices (private
 * downloads through short-lived presigned URLs), and the log buckets of the ALB, CloudFront and
 * WAF. Every bucket blocks public access, denies plain HTTP, is versioned, encrypted and logged.
 * The static-assets bucket lives with its CloudFront distribution in the edge stack, so its Origin
 * Access Control policy can name that one distribution.
 */
export class StorageStack extends Stack {
  /** Customer-managed key of the document buckets. */
  public readonly dataKey: IKey;
  /** Uploads from customers and staff (product images before processing, returns evidence). */
  public readonly uploadsBucket: IBucket;
  /** Invoices, kept 10 years (French commercial code). */
  public readonly invoicesBucket: IBucket;
  /** ALB access logs (ELB supports SSE-S3 only). */
  public readonly albLogsBucket: IBucket;
  /** CloudFront standard logs (needs ACLs and SSE-S3). */
  public readonly cdnLogsBucket: IBucket;
  /** WAF logs, redacted of cookies and authorization headers. */
  public readonly wafLogsBucket: IBucket;

  /** Creates the buckets and their key. */
  public constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config, accessLogsBucket } = props;

    const dataKey = new Key(this, 'DataKey', {
      alias: `alias/storefront-${config.name}-documents`,
      description: 'Encrypts uploads, invoices and WAF logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    dataKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowWafLogDelivery',
        principals: [new ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.dataKey = dataKey;

    this.uploadsBucket = new SecureBucket(this, 'Uploads', {
      encryptionKey: dataKey,
      serverAccessLogsBucket: accessLogsBucket,
      extra: {
        cors: [
          {
            allowedOrigins: [`https://${config.domainName}`],
            allowedMethods: [HttpMethods.PUT, HttpMethods.POST],
            allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
            maxAge: 600,
          },
        ],
      },
    }).bucket;
    this.invoicesBucket = new SecureBucket(this, 'Invoices', {
      encryptionKey: dataKey,
      serverAccessLogsBucket: accessLogsBucket,
      noncurrentVersionDays: 3650,
    }).bucket;
    for (const bucket of [this.uploadsBucket, this.invoicesBucket]) {
      // A leaked presigned URL is useless after ten minutes, whatever expiry its signer chose.
      bucket.addToResourcePolicy(
        new PolicyStatement({
          sid: 'DenyStalePresignedUrls',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['s3:*'],
          resources: [bucket.arnForObjects('*')],
          conditions: {
            StringEquals: { 's3:authType': 'REST-QUERY-STRING' },
            NumericGreaterThan: { 's3:signatureAge': MAX_PRESIGNED_URL_AGE_MS },
          },
        }),
      );
    }

    this.albLogsBucket = new SecureBucket(this, 'AlbLogs', {
      serverAccessLogsBucket: accessLogsBucket,
    }).bucket;
    this.cdnLogsBucket = new SecureBucket(this, 'CdnLogs', {
      serverAccessLogsBucket: accessLogsBucket,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    }).bucket;
    const wafLogs = new SecureBucket(this, 'WafLogs', {
      bucketName: wafLogBucketName(config),
      encryptionKey: dataKey,
      serverAccessLogsBucket: accessLogsBucket,
    }).bucket;
    wafLogs.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AwsLogDeliveryWrite',
        principals: [new ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [wafLogs.arnForObjects(`AWSLogs/${this.account}/*`)],
        conditions: {
          StringEquals: {
            's3:x-amz-acl': 'bucket-owner-full-control',
            'aws:SourceAccount': this.account,
          },
        },
      }),
    );
    wafLogs.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AwsLogDeliveryAclCheck',
        principals: [new ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['s3:GetBucketAcl'],
        resources: [wafLogs.bucketArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.wafLogsBucket = wafLogs;
  }
}
