// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node built-ins, banned in workflow code: workflows run in Temporal's deterministic sandbox and must do no I/O. */
const NODE_BUILTINS = ['fs', 'fs/promises', 'http', 'https', 'http2', 'net', 'dns', 'crypto', 'child_process', 'path', 'os', 'worker_threads', 'timers'];

const WORKFLOW_IO = 'Workflows are deterministic: do I/O in an activity.';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.temporal/', 'coverage/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // An `any` needs a disable comment that says why.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Temporal's activity and workflow functions are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: WORKFLOW_IO })),
          patterns: [{ group: ['node:*'], message: WORKFLOW_IO }],
        },
      ],
    },
  },
  {
    // supertest types every response body as `any`; the tests' expectations are what check its shape.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
  },
);
