// Lint: type-aware basics everywhere; workflows/ must stay deterministic (no Node builtins, no I/O).
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioPackages = [
  'knex',
  'objection',
  'pg',
  'better-sqlite3',
  'openai',
  '@anthropic-ai/sdk',
  'ollama',
  'ws',
  'koa',
  'pino',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

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
          paths: [...nodeBuiltins, ...ioPackages].map((name) => ({
            name,
            message: 'workflows/ and core/ must stay deterministic and free of I/O',
          })),
          patterns: [
            {
              group: ['../activities/*', '../db/*', '../api/*', '../temporal/*', '../cli/*'],
              allowTypeImports: true,
              message: 'only type imports of side-effecting layers',
            },
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
  {
    // bench/ may use test/'s fakes and helpers; test/ never imports bench/ (a piece both need lives in test/helpers).
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)bench(/|$)',
              message: 'test/ must not import bench/: move the shared piece to test/helpers',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflows decide, the store keeps: a workflow needs nothing from db/, not even a type (statuses and
    // patches live in core/run-story/). Its own block, so other arrows rules can sit beside it.
    files: ['workflows/**/*.ts'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './workflows',
              from: './db',
              message: 'workflows/ must not import db/ (types too): take them from core/',
            },
          ],
        },
      ],
    },
  },
  {
    // Shared services sit beside the layers that use them, and arrows point one way (issue 30): api/ and cli/
    // reach the worker's activities only through worker/ (the composition root); temporal/ knows no store (its
    // codecs take a PayloadStore) and no activities; judge/, providers/, mcp/ and sandbox/ serve api, cli and
    // activities alike, so they import none of them. Its own block and file globs: the workflows block keeps its own.
    files: [
      'api/**/*.ts',
      'cli/**/*.ts',
      'temporal/**/*.ts',
      'judge/**/*.ts',
      'providers/**/*.ts',
      'mcp/**/*.ts',
      'sandbox/**/*.ts',
    ],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: ['./api', './cli'],
              from: './activities',
              message:
                'api/ and cli/ must not import activities/: the worker is composed in worker/, shared services live in judge/, providers/, mcp/, sandbox/',
            },
            {
              target: './temporal',
              from: ['./db', './activities', './api', './cli'],
              message:
                'temporal/ must not import db/, activities/, api/ or cli/: take the keyring from keyring/, a store as an injected PayloadStore',
            },
            {
              target: ['./judge', './providers', './mcp', './sandbox'],
              from: ['./activities', './api', './cli'],
              message: 'shared services (judge/, providers/, mcp/, sandbox/) must not import activities/, api/ or cli/',
            },
          ],
        },
      ],
    },
  },
  {
    // Routes call services, never the store's repositories (issue 30): a route reads its request, a service does the
    // work. no-restricted-imports (not import-x/no-restricted-paths) so the api/ arrows block above keeps its own options.
    files: ['api/routes/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)db/repositories(/|$)',
              message: 'api/routes/ must not import db/repositories/: call a service in api/services/',
            },
          ],
        },
      ],
    },
  },
  {
    // A function reads in one sitting (issue 30): at most 60 lines (blank and comment lines aside) and three blocks
    // deep, as Prettier prints it. Frozen code is left as it was: legacy workflows replay old histories and migrations
    // describe schemas that have shipped.
    files: ['**/*.ts'],
    ignores: ['test/**', 'bench/**', 'workflows/legacy/**', 'db/migrations/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      'max-depth': ['error', 3],
    },
  },
);
