/**
 * Command line of the embedded server.
 *   temporal-devserver <port> [--enable-time-skipping]   like Temporal's test server (what TestWorkflowEnvironment
 *                                                       launches): time skipping, locked at start unless the flag
 *   temporal-devserver --dev [--port 7233] [--ip 127.0.0.1]   real-time local dev server
 */
import { startDevServer } from './index';

interface Cli {
  port: number;
  host: string;
  timeSkipping: boolean;
  startLocked: boolean;
}

function usage(problem: string): never {
  process.stderr.write(`temporal-devserver: ${problem}\nusage: temporal-devserver <port> [--enable-time-skipping]\n       temporal-devserver --dev [--port N] [--ip ADDRESS]\n`);
  process.exit(2);
}

function parsePort(text: string | undefined): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`invalid port "${text}"`);
  return port;
}

function parseArgs(argv: string[]): Cli {
  if (argv.includes('--dev')) {
    const cli: Cli = { port: 7233, host: '127.0.0.1', timeSkipping: false, startLocked: false };
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--dev') continue;
      else if (argv[i] === '--port') cli.port = parsePort(argv[++i]);
      else if (argv[i] === '--ip') cli.host = argv[++i] ?? usage('--ip needs an address');
      else usage(`unknown argument "${argv[i]}"`);
    }
    return cli;
  }
  const [port, ...rest] = argv;
  if (port === undefined) usage('missing port');
  const cli: Cli = { port: parsePort(port), host: '127.0.0.1', timeSkipping: true, startLocked: true };
  for (const arg of rest) {
    if (arg === '--enable-time-skipping') cli.startLocked = false;
    else usage(`unknown argument "${arg}"`);
  }
  return cli;
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(`[temporal-devserver] ${line}\n`);
  const server = await startDevServer({ ...cli, log });
  log(`listening on ${server.address} (${cli.timeSkipping ? 'time-skipping test server' : 'real-time dev server'}, in memory)`);
  const stop = (): void => {
    void server.shutdown().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`temporal-devserver failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
