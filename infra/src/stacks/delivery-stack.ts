import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Repository,
  RepositoryEncryption,
  TagMutability,
  type IRepository,
} from 'aws-cdk-lib/aws-ecr';
import {
  CfnOIDCProvider,
  FederatedPrincipal,
  PolicyStatement,
  Role,
  type IRole,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.ts';

/** Issuer of GitHub Actions OIDC tokens. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** Options of the {@link DeliveryStack}. */
export interface DeliveryStackProps extends StackProps {
  /** The environment being deployed. */
  readonly config: EnvironmentConfig;
}

/**
 * Continuous delivery without long-lived keys: the ECR repositories of the images (immutable
 * tags, scan on push, KMS) and a GitHub Actions OIDC provider with one deploy role that only the
 * protected GitHub environment of one repository can assume, for at most an hour. The workflow
 * pushes the image and runs `cdk deploy` through the CDK bootstrap roles; ECS then rolls the
 * service with its circuit breaker (see docs/infra.md, "Delivery").
 */
export class DeliveryStack extends Stack {
  /** Repository of the API image. */
  public readonly apiRepository: IRepository;
  /** Repository of the web image. */
  public readonly webRepository: IRepository;
  /** Role assumed by the GitHub Actions deploy job. */
  public readonly deployRole: IRole;

  /** Creates the repositories and the OIDC trust. */
  public constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);
    const { config } = props;

    const repository = (name: string): Repository =>
      new Repository(this, `${name}Repository`, {
        repositoryName: `storefront/${config.name}/${name.toLowerCase()}`,
        imageScanOnPush: true,
        imageTagMutability: TagMutability.IMMUTABLE,
        encryption: RepositoryEncryption.KMS,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [{ description: 'Keep the last 100 images', maxImageCount: 100 }],
      });
    const api = repository('Api');
    const web = repository('Web');
    this.apiRepository = api;
    this.webRepository = web;

    const provider = new CfnOIDCProvider(this, 'GitHubOidcProvider', {
      url: `https://${GITHUB_OIDC_ISSUER}`,
      clientIdList: ['sts.amazonaws.com'],
    });
    const deployRole = new Role(this, 'GitHubDeployRole', {
      description: `GitHub Actions deploy job of ${config.github.repository} (${config.github.environment})`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new FederatedPrincipal(
        provider.attrArn,
        {
          StringEquals: {
            [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_ISSUER}:sub`]: `repo:${config.github.repository}:environment:${config.github.environment}`,
          },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
    });
    api.grantPullPush(deployRole);
    web.grantPullPush(deployRole);
    deployRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${this.partition}:iam::${this.account}:role/cdk-hnb659fds-*`],
      }),
    );
    this.deployRole = deployRole;

    new CfnOutput(this, 'DeployRoleArn', {
      value: deployRole.roleArn,
      description: 'role-to-assume of the GitHub Actions deploy job',
    });
    new CfnOutput(this, 'ApiRepositoryUri', { value: api.repositoryUri });
    new CfnOutput(this, 'WebRepositoryUri', { value: web.repositoryUri });
  }
}
