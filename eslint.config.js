import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'bench/results/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through a slice in src/config/ (EnvReader).',
        },
      ],
    },
  },
  {
    // Only config/ reads the environment; tools, tests and benchmarks set it up.
    files: ['src/config/**', 'tools/**', 'bench/**', 'test/**', '**/*.spec.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
