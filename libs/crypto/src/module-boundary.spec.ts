import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface DepConstraint {
  sourceTag: string;
  onlyDependOnLibsWithTags: string[];
}

/** The depConstraints of `@nx/enforce-module-boundaries` in the root ESLint configuration. */
async function depConstraints(): Promise<DepConstraint[]> {
  const configUrl = new URL('../../../eslint.config.mjs', import.meta.url).href;
  const { default: config } = (await import(configUrl)) as {
    default: { rules?: Record<string, unknown> }[];
  };
  for (const block of config) {
    const rule = block.rules?.['@nx/enforce-module-boundaries'];
    if (Array.isArray(rule)) {
      return (rule[1] as { depConstraints: DepConstraint[] }).depConstraints;
    }
  }
  throw new Error('no @nx/enforce-module-boundaries rule');
}

describe('@storefront/crypto is server-only', () => {
  it('is tagged scope:api, and neither browser (scope:web) nor shared code may import scope:api', async () => {
    const project = JSON.parse(
      readFileSync(new URL('../project.json', import.meta.url), 'utf8'),
    ) as { tags: string[] };
    expect(project.tags).toContain('scope:api');
    expect(project.tags).not.toContain('scope:shared');
    const constraints = await depConstraints();
    for (const sourceTag of ['scope:web', 'scope:shared']) {
      const constraint = constraints.find((c) => c.sourceTag === sourceTag);
      expect(constraint, sourceTag).toBeDefined();
      for (const tag of project.tags.filter((t) => t.startsWith('scope:'))) {
        expect(constraint!.onlyDependOnLibsWithTags, `${sourceTag} → ${tag}`).not.toContain(tag);
      }
    }
  });
});
