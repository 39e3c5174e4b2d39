// Lint: type-aware basics everywhere; workflows/ must stay deterministic (no Node builtins, no I/O).
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioPackages = ['knex', 'objection', 'pg', 'better-sqlite3', 'openai', '@anthropic-ai/sdk', 'ollama', 'ws', 'koa', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', 'dist/**', '.vloop/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    // Arrows point one way: a cycle means two modules are really one, or a piece sits in the wrong layer.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read JSON answers whose shape the assertions check.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts', 'core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioPackages].map((name) => ({ name, message: 'workflows/ and core/ must stay deterministic and free of I/O' })),
          patterns: [
            { group: ['../activities/*', '../db/*', '../api/*', '../temporal/*', '../cli/*'], allowTypeImports: true, message: 'only type imports of side-effecting layers' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'no process access in deterministic code' },
        { name: 'fetch', message: 'no I/O in deterministic code' },
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
      ],
    },
  },
);
