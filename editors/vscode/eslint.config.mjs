// Lint for the extension's TypeScript (`npm run lint`): the recommended JS and type-aware TS rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/', 'node_modules/', 'test/e2e/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: 'error',
      curly: 'error',
    },
  },
  // node:test's test() returns a promise the runner itself awaits.
  { files: ['src/test/**'], rules: { '@typescript-eslint/no-floating-promises': 'off' } },
);
