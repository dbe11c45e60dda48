// One lint configuration for the whole workspace.
// Besides typescript-eslint's strict rules it enforces, as machine-checked rules rather than
// reviewers' memory: Nx project boundaries (scope/type tags) and a few security invariants.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/cdk.out/**',
      '**/coverage/**',
      '.node/**',
      '.nx/**',
      '.data/**',
      'tmp/**',
      'apps/web/build/**',
      'apps/web/.react-router/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // Nx: which project may import which (see docs/ARCHITECTURE.md, "Boundaries").
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:api', 'scope:shared'] },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:web', 'scope:shared'] },
            { sourceTag: 'scope:infra', onlyDependOnLibsWithTags: ['scope:infra', 'scope:shared'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:ui', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:ui', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:ui', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
          ],
        },
      ],
      // Decorator-heavy NestJS classes and validated DTOs.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Security invariants.
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use node:crypto (randomBytes/randomInt) — Math.random is not a CSPRNG.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'dangerouslySetInnerHTML is forbidden outside the Trusted Types policies.',
        },
        {
          selector: "CallExpression[callee.property.name=/^(query|orderBy|addOrderBy|where|andWhere|orWhere|having)$/] > TemplateLiteral.arguments:first-child[expressions.length>0]",
          message: 'No SQL built from template strings: pass values as parameters and names from an allowlist.',
        },
        {
          selector: "CallExpression[callee.property.name=/^(query|orderBy|addOrderBy|where|andWhere|orWhere|having)$/] > BinaryExpression.arguments:first-child[operator='+']",
          message: 'No SQL built by string concatenation: pass values as parameters and names from an allowlist.',
        },
      ],
    },
  },
  {
    // Tests may use non-null assertions on data they just created.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  prettier,
);
