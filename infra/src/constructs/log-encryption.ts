import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';

/**
 * Lets CloudWatch Logs of this account and region use `key` for the log groups it encrypts, and
 * nothing else: the grant is bound to the `aws:logs:arn` encryption context of this account.
 */
export function allowLogGroupsOfThisAccount(key: IKey): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchLogs',
      principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
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
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`,
        },
      },
    }),
  );
}
