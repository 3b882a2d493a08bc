// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'public/build/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // domain/ stays pure: no I/O, no clock, no other layer
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', '../../db/*', '../../platform/*', '../../features/*', 'fs', 'pg', '@electric-sql/*'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'domain/ receives the clock as an argument' },
        { object: 'Math', property: 'random', message: 'domain/ receives randomness as an argument' },
      ],
    },
  },
);
