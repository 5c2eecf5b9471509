import { defineConfig } from 'vitest/config';

// Timeouts only guard against hangs (speed targets live in `npm run bench`): property tests and
// CLI runs can take several seconds on a busy 2-core CI machine.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
