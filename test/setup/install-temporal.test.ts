import { runScript } from '../support/scripts';

/** `npm run install-temporal`, which `npm start` and `npm test` run first (the suite itself needs its binaries). */
const install = (env: Record<string, string> = {}) => runScript('scripts/install-temporal.ts', { TEMPORAL_CLI_PATH: '', TEMPORAL_TEST_SERVER_PATH: '', ...env });

describe('install-temporal', () => {
  it('is a silent no-op when the pinned binaries are installed', async () => {
    const run = install();
    expect(await run.exited).toBe(0);
    expect(run.output()).toBe('');
  });

  it.each(['TEMPORAL_CLI_PATH', 'TEMPORAL_TEST_SERVER_PATH'])('names %s when it points at no executable', async (variable) => {
    const run = install({ [variable]: '/nonexistent/temporal' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain(`${variable}=/nonexistent/temporal is not an executable file`);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it("takes the user's own binaries when both variables point at executables", async () => {
    const run = install({ TEMPORAL_CLI_PATH: process.execPath, TEMPORAL_TEST_SERVER_PATH: process.execPath });
    expect(await run.exited).toBe(0);
    expect(run.output()).toBe('');
  });
});
