import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'crypto', 'os', 'net', 'http', 'child_process', 'util', 'events'];

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
  {
    // Workflow code is replayed: it may import Temporal's workflow package, contracts and itself only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'Workflows must be deterministic: no Node built-ins.' },
            {
              group: [
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                'zod',
                '../registry/*',
                '../transport/*',
                '../api/*',
                '../config/*',
                '../engine-start/*',
              ],
              message: 'Workflows import only @temporalio/workflow, contracts and each other.',
            },
            { group: ['../activities/*'], allowTypeImports: true, message: 'Import activity types only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../activities/*',
                '../../activities/*',
                '../worker/*',
                '../../worker/*',
                '../transport/*',
                '../../transport/*',
                // api/main.ts wires Mosquitto's credential sync into the routes (a file export).
                '!../transport/mosquitto-credentials',
              ],
              message: 'api/ talks to the engine through the Temporal client only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Starting an execution is shared by the API and the workers, so it may import neither.
    files: ['engine-start/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../api/*', '../worker/*', '../activities/*', '../transport/*'],
              message: 'engine-start/ uses the Temporal client, registry and contracts only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../workflows/*', '../api/*', '../worker/*'],
              message: 'activities/ use registry, transport and contracts only.',
            },
          ],
        },
      ],
    },
  },
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
