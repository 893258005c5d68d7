import { createServer, type Server } from 'node:net';
import { Connection } from '@temporalio/client';
import { createLogger } from '../../src/logger';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { freePort } from '../support/ports';
import { startTestDevServer } from '../support/temporal';

/** The launcher of the official `temporal server start-dev` that `npm start` and the real-time tests use. */
describe('Temporal dev server launcher', () => {
  let server: DevServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('serves the namespace with the delivery search attributes, and the Web UI', async () => {
    server = await startTestDevServer({ ui: true });
    const connection = await Connection.connect({ address: server.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {}).sort()).toEqual(['ConversionId', 'PublisherId']);
    } finally {
      await connection.close();
    }
    const settings = await fetch(`${server.uiUrl}/api/v1/settings`);
    expect(settings.status).toBe(200);
  });

  it("says why when it cannot start, with the server's own words, and leaves nothing running", async () => {
    const port = await freePort();
    // Another program holds the port (and hangs up on whoever connects).
    const taken: Server = await new Promise((resolve) => {
      const s = createServer((socket) => socket.destroy()).listen(port, '127.0.0.1', () => resolve(s));
    });
    const lines: string[] = [];
    try {
      await expect(
        startDevServer({ port, namespace: 'default', logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) }),
      ).rejects.toThrow(new RegExp(`did not start on 127\\.0\\.0\\.1:${port}: it exited with 1:[\\s\\S]*address already in use`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    // Its output was relayed as our JSON lines.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ component: 'temporal-server' });
  });
});
