/**
 * Entry point of `cdk synth` / `cdk deploy` (run by Node's built-in type stripping, see cdk.json).
 * Builds the environment named by `-c storefront:environment=<name>` (default `production`),
 * synthesises it behind the cdk-nag gate (AwsSolutions + PCI DSS 3.2.1), then writes the
 * NIST 800-53 rev. 5 report next to the cloud assembly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addOrganisation, addStorefront, createApp } from './app.ts';
import { nistReport } from './compliance/nag-gate.ts';
import { resolveEnvironment } from './config/environments.ts';

const app = createApp();
const requested: unknown = app.node.tryGetContext('storefront:environment');
const config = resolveEnvironment(typeof requested === 'string' ? requested : 'production');
addStorefront(app, config);
addOrganisation(app, config);
app.synth();

const findings = nistReport(app);
const reportPath = join(app.outdir, 'nist-800-53-r5-report.json');
writeFileSync(reportPath, `${JSON.stringify({ pack: 'NIST.800.53.R5', findings }, null, 2)}\n`);
console.error(
  `NIST 800-53 rev. 5 (report, not a gate): ${findings.length} findings → ${reportPath}`,
);
