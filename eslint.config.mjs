// Lint for the whole tree (npm run lint, the first step of npm test). typescript-eslint's recommended
// rules, Prettier for layout (eslint-config-prettier turns off the rules that would fight it), and the
// layering rule of docs/architecture.md: producers and the anomaly service never import the orchestrator.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.sluice/', 'coverage/', 'connectors/plugin/target/', 'grafana/dashboards/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  // Layers (docs/architecture.md, decision 0013): producers and the anomaly service never import the
  // orchestrator; lib/ (with the spec's contract, lib/spec) imports none of the three.
  {
    files: ['producers/**/*.ts', 'anomaly/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/orchestrator', '**/orchestrator/**'],
              message:
                'producers/ and anomaly/ do not import the orchestrator: take the spec types from lib/spec, shared code from lib/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/orchestrator',
                '**/orchestrator/**',
                '**/producers',
                '**/producers/**',
                '**/anomaly',
                '**/anomaly/**',
              ],
              message: 'lib/ is the bottom layer: it imports nothing from orchestrator/, producers/ or anomaly/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
