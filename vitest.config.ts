import { defineConfig } from 'vitest/config';
import SummaryReporter from './scripts/summary-reporter.ts';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    pool: 'forks',
    // a loaded 2-core CI machine: integration suites wait on conditions with generous limits
    testTimeout: 60_000,
    hookTimeout: 240_000,
    maxWorkers: 2,
    reporters: ['default', new SummaryReporter()],
    env: { CAMPUS_LOG_LEVEL: process.env.CAMPUS_LOG_LEVEL ?? 'warn' },
  },
});
