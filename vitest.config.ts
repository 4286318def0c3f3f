import { defineConfig } from 'vitest/config';

// Decorator metadata (DI by type) depends on vite 8's transform honouring
// emitDecoratorMetadata from tsconfig.json; test/di.e2e-spec.ts fails loudly if it does not.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.e2e-spec.ts', 'tools/**/*.spec.ts'],
    environment: 'node',
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
