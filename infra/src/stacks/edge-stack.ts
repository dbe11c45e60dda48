import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  SSLMethod,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin, VpcOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IApplicationLoadBalancer } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.ts';
import { SecureBucket } from '../constructs/secure-bucket.ts';

/** Path of the static assets served from S3 (hashed file names, cached for a year). */
export const STATIC_ASSETS_PATH = '/assets/*';

/** Options of the {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
  /** Internal ALB reached through a CloudFront VPC origin. */
  readonly loadBalancer: IApplicationLoadBalancer;
  /** ARN of the WAF web ACL (us-east-1, via a cross-region reference). */
  readonly webAclArn: string;
  /** Certificate of the public domain (us-east-1, via a cross-region reference). */
  readonly certificate: ICertificate;
  /** Bucket receiving CloudFront standard logs. */
  readonly logBucket: IBucket;
  /** Bucket receiving the server access logs of the assets bucket. */
  readonly accessLogsBucket: IBucket;
}

/**
 * CloudFront in front of everything: TLS ≥ 1.2 (TLSv1.2_2025 policy) on the viewer side, the WAF
 * web ACL, security response headers, `/api/*` never cached and forwarded to the internal ALB
 * through a VPC origin over TLS, pages from the same origin, and static assets from a private,
 * KMS-encrypted S3 bucket through Origin Access Control. The assets bucket lives here so its
 * bucket and key policies can name this one distribution.
 */
export class EdgeStack extends Stack {
  /** The distribution. */
  public readonly distribution: Distribution;
  /** Private bucket of the static assets. */
  public readonly assetsBucket: IBucket;

  /** Creates the distribution and its assets origin. */
  public constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;

    const assetsKey = new Key(this, 'AssetsKey', {
      alias: `alias/storefront-${config.name}-assets`,
      description: 'Encrypts the static assets bucket (CloudFront decrypts through OAC)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const assets = new SecureBucket(this, 'Assets', {
      encryptionKey: assetsKey,
      serverAccessLogsBucket: props.accessLogsBucket,
    }).bucket;
    this.assetsBucket = assets;

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers on every response, errors included',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(63072000),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          // The apps set `no-referrer` on checkout; keep theirs when present.
          override: false,
        },
        contentSecurityPolicy: {
          // Fallback only: the web app sends its own per-request nonce CSP, which wins.
          contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
          override: false,
        },
      },
      removeHeaders: ['server', 'x-powered-by'],
    });

    const albOrigin = VpcOrigin.withApplicationLoadBalancer(props.loadBalancer, {
      domainName: config.originDomainName,
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      httpsPort: 443,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(30),
      vpcOriginName: `storefront-${config.name}-alb`,
    });
    const dynamic: BehaviorOptions = {
      origin: albOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
      compress: true,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Storefront ${config.name}`,
      domainNames: [config.domainName],
      certificate: props.certificate,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2025,
      sslSupportMethod: SSLMethod.SNI,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: { ...dynamic, viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      additionalBehaviors: {
        '/api/*': dynamic,
        [STATIC_ASSETS_PATH]: {
          origin: S3BucketOrigin.withOriginAccessControl(assets),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers,
          compress: true,
        },
      },
    });
  }
}
