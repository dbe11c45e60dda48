/**
 * The organisation stage (SCPs, organisation trail, delegated administration) of the
 * organisation-mode environment, kept separate from the workload. One synth for the file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganisation, addStorefront, allStacks, createApp } from '../src/app.ts';
import { PRODUCTION, PRODUCTION_ORGANISATION } from '../src/config/environments.ts';
import type { OrganisationStage } from '../src/stacks/organisation-stage.ts';
import { asArray, asRecord, props, resourcesOf, single } from './support/templates.ts';

const organisation = PRODUCTION_ORGANISATION.organisation!;
let stage: OrganisationStage;
let management: Template;
let logArchive: Template;
let workloadStacks: Stack[];

beforeAll(() => {
  const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'storefront-organisation-')) });
  workloadStacks = allStacks(addStorefront(app, PRODUCTION_ORGANISATION));
  stage = addOrganisation(app, PRODUCTION_ORGANISATION)!;
  app.synth();
  management = Template.fromStack(stage.management);
  logArchive = Template.fromStack(stage.logArchive);
});

/** Statements of the SCP called `name`. */
function scp(name: string): Record<string, unknown>[] {
  const [, policy] = resourcesOf(management, 'AWS::Organizations::Policy').find(
    ([, p]) => props(p).Name === name,
  ) ?? [undefined, { Type: '' }];
  return asArray(asRecord(props(policy).Content).Statement).map(asRecord);
}

describe('organisation stage', () => {
  it('does not exist in single-account mode', () => {
    const app = createApp({ complianceGate: false });
    expect(addOrganisation(app, PRODUCTION)).toBeUndefined();
  });

  it('is deployed by the management and log-archive accounts, not the workload account', () => {
    expect(stage.management.account).toBe(organisation.managementAccount);
    expect(stage.logArchive.account).toBe(organisation.logArchiveAccount);
    for (const stack of workloadStacks) {
      expect(stack.account).toBe(PRODUCTION_ORGANISATION.account);
      expect(Stack.of(stack).node.scope).not.toBe(stage);
    }
  });

  it('denies every region outside the EU, except us-east-1 for edge services only', () => {
    const statements = scp('storefront-eu-regions-only');
    const outside = statements.find((s) => s.Sid === 'DenyOutsideEuAndEdge');
    expect(outside?.Effect).toBe('Deny');
    const allowed = asArray(
      asRecord(asRecord(outside?.Condition).StringNotEquals)['aws:RequestedRegion'],
    );
    expect(allowed.filter((r) => !String(r).startsWith('eu-'))).toEqual(['us-east-1']);
    const edge = statements.find((s) => s.Sid === 'EdgeRegionForEdgeServicesOnly');
    expect(asRecord(asRecord(edge?.Condition).StringEquals)['aws:RequestedRegion']).toBe(
      'us-east-1',
    );
    expect(asArray(edge?.NotAction)).not.toContain('rds:*');
    expect(asArray(edge?.NotAction)).not.toContain('ecs:*');
  });

  it('denies public S3 ACLs and turning off the account public access block', () => {
    const statements = scp('storefront-deny-public-s3');
    expect(statements.find((s) => s.Sid === 'KeepAccountPublicAccessBlock')?.Action).toBe(
      's3:PutAccountPublicAccessBlock',
    );
    const acls = statements.find((s) => s.Sid === 'DenyPublicAcls');
    expect(asArray(asRecord(asRecord(acls?.Condition).StringEquals)['s3:x-amz-acl'])).toContain(
      'public-read',
    );
  });

  it('keeps the security baseline on and the root user out', () => {
    const statements = scp('storefront-protect-security-baseline');
    const actions = asArray(statements.find((s) => s.Sid === 'ProtectSecurityServices')?.Action);
    for (const action of [
      'cloudtrail:StopLogging',
      'guardduty:DeleteDetector',
      'config:StopConfigurationRecorder',
    ]) {
      expect(actions).toContain(action);
    }
    expect(statements.find((s) => s.Sid === 'DenyRootUser')?.Effect).toBe('Deny');
  });

  it('attaches every SCP to the workload organisational units', () => {
    for (const [, policy] of resourcesOf(management, 'AWS::Organizations::Policy')) {
      expect(props(policy).TargetIds).toEqual(organisation.workloadOrganizationalUnitIds);
    }
  });

  it('runs an organisation trail, multi-region and validated, into the Object-Locked archive', () => {
    const trail = props(single(management, 'AWS::CloudTrail::Trail')[1]);
    expect(trail).toMatchObject({
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    });
    expect(JSON.stringify(trail.KMSKeyId)).toContain(`${organisation.logArchiveAccount}:alias/`);
    const bucket = props(single(logArchive, 'AWS::S3::Bucket', 'OrganisationTrail')[1]);
    expect(asRecord(bucket.ObjectLockConfiguration)).toMatchObject({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE' } },
    });
  });

  it('delegates Security Hub administration to the security-tooling account', () => {
    management.hasResourceProperties('AWS::SecurityHub::DelegatedAdmin', {
      AdminAccountId: organisation.securityToolingAccount,
    });
  });

  it('leaves GuardDuty, Security Hub and the trail to the organisation in the workload account', () => {
    const baseline = Template.fromStack(workloadStacks[0]!);
    expect(resourcesOf(baseline, 'AWS::GuardDuty::Detector')).toEqual([]);
    expect(resourcesOf(baseline, 'AWS::CloudTrail::Trail')).toEqual([]);
    expect(resourcesOf(baseline, 'AWS::Config::RemediationConfiguration')).toHaveLength(1);
  });
});
