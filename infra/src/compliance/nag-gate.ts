import type {
  App,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Wraps a cdk-nag pack as a synthesis gate: every finding, warnings included, is reported as an
 * error so `app.synth()` (and `cdk synth`) fails until it is fixed or acknowledged with a reason in
 * `nag-acknowledgements.ts`.
 */
export class StrictNagGate implements IPolicyValidationPlugin {
  /** Name shown in the validation report. */
  public readonly name: string;
  /** Version of the wrapped pack. */
  public readonly version?: string;
  private readonly pack: NagPack;

  /** Wraps `pack`. */
  public constructor(pack: NagPack) {
    this.pack = pack;
    this.name = `${pack.readPackName} (gate)`;
    this.version = pack.version;
  }

  /** Runs the pack over the construct tree and escalates every finding to an error. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.pack.validate(context);
    return {
      ...report,
      success: report.violations.length === 0,
      violations: report.violations.map((violation) => ({ ...violation, severity: 'error' })),
    };
  }
}

/** The packs that gate synthesis: AWS Solutions and PCI DSS 3.2.1. */
export function gatingPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new PCIDSS321Checks()];
}

/** Registers the gating packs on `app`: synthesis fails on any unacknowledged finding. */
export function addComplianceGate(app: App): void {
  Validations.of(app).addPlugins(...gatingPacks().map((pack) => new StrictNagGate(pack)));
}

/** One line of the NIST 800-53 rev. 5 report. */
export interface ReportFinding {
  /** Rule id, with the finding suffix when the rule reports several. */
  readonly rule: string;
  /** What the rule found. */
  readonly description: string;
  /** Construct paths of the resources concerned. */
  readonly resources: string[];
}

/**
 * Runs NIST 800-53 rev. 5 over `scope` as a report, not a gate: the findings are returned (and
 * written next to the cloud assembly by `main.ts`) for the security review.
 */
export function nistReport(scope: IConstruct): ReportFinding[] {
  return new NIST80053R5Checks().validateScope(scope).violations.map((violation) => ({
    rule: violation.ruleName,
    description: violation.description,
    resources: violation.violatingResources.map(
      (r) => r.constructPath ?? r.resourceLogicalId ?? '?',
    ),
  }));
}
