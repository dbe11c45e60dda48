import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type BucketProps,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Options of a {@link SecureBucket}. */
export interface SecureBucketProps {
  /**
   * Customer-managed key encrypting the objects. Omit only for log buckets whose AWS writer
   * (ALB, CloudFront standard logs) supports SSE-S3 alone; they then use S3-managed keys.
   */
  readonly encryptionKey?: IKey;
  /** Bucket receiving the server access logs of this bucket; omit only for the access-log bucket itself. */
  readonly serverAccessLogsBucket?: IBucket;
  /** Explicit bucket name, for buckets AWS services address by name (e.g. `aws-waf-logs-*`). */
  readonly bucketName?: string;
  /** Days after which non-current versions are deleted (default 90). */
  readonly noncurrentVersionDays?: number;
  /** Object ownership; only CloudFront standard logs need ACLs (BUCKET_OWNER_PREFERRED). */
  readonly objectOwnership?: ObjectOwnership;
  /** Additional bucket properties (CORS, object lock…). */
  readonly extra?: Partial<BucketProps>;
}

/**
 * A private S3 bucket with the storefront's non-negotiable controls: Block Public Access on all
 * four settings, a bucket policy denying any request not made over TLS (and TLS < 1.2), versioning,
 * encryption (KMS by default), server access logs, and retention on stack deletion.
 */
export class SecureBucket extends Construct {
  /** The bucket. */
  public readonly bucket: Bucket;

  /** Creates the bucket with the controls above. */
  public constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      encryption:
        props.encryptionKey === undefined ? BucketEncryption.S3_MANAGED : BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey !== undefined,
      objectOwnership: props.objectOwnership ?? ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix:
        props.serverAccessLogsBucket === undefined ? undefined : `${id.toLowerCase()}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      ...props.extra,
    });
  }
}
