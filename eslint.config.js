import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tap/**', 'test-artifacts/**', 'scratch/**', 'clients/**/generated/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['drizzle-orm', 'drizzle-orm/*', 'better-sqlite3'], message: 'Only src/db talks to the database.' }],
        },
      ],
    },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      // A write's result is read inside the write's transaction with .all() (or .run() for counts), never with an
      // autocommit .get(): SQLite's statement-level .get() stops stepping after the first row, so a RETURNING write
      // read that way may leave the statement (and its write) unfinished, outside any transaction.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='get'] > MemberExpression > CallExpression[callee.property.name='returning']",
          message: 'Read a write\'s result with .all()[0] inside db.transaction(..., { behavior: \'immediate\' }), never with .returning().get().',
        },
        {
          selector: "CallExpression[callee.property.name='get']:has(CallExpression[callee.property.name=/^(insert|update|delete)$/][callee.object.name='db'])",
          message: 'A write runs with .run() (or .returning().all() inside a transaction), never with .get().',
        },
      ],
    },
  },
  {
    files: ['src/services/**/*.ts', 'src/ingest/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['drizzle-orm', 'drizzle-orm/*', 'better-sqlite3'], message: 'Only src/db talks to the database.' },
            { group: ['fastify', '@fastify/*', 'fastify-plugin'], message: 'Services are plain factories with no Fastify import.' },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
)
