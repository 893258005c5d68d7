import type { RequestHandler } from 'express';
import type { ApiDeps } from './deps';

type Check = 'ok' | 'unavailable';

const stateOf = (check: Promise<unknown>): Promise<Check> =>
  check.then(
    () => 'ok',
    () => 'unavailable',
  );

/**
 * GET /healthz: 200 when Postgres and Temporal both answer, else 503; either way the answer says which one is
 * down, so that an operator (or an orchestrator's log) knows where to look.
 */
export function healthCheck(deps: Pick<ApiDeps, 'pool' | 'scheduler'>): RequestHandler {
  return async (_req, res) => {
    const [postgres, temporal] = await Promise.all([stateOf(deps.pool.query('SELECT 1')), stateOf(deps.scheduler.ping())]);
    const checks = { postgres, temporal };
    const down = Object.entries(checks).filter(([, state]) => state !== 'ok').map(([name]) => name);
    if (down.length === 0) return void res.json({ status: 'ok', checks });
    res.status(503).json({
      status: 'unavailable',
      checks,
      error: { code: 'dependency_unavailable', message: `Unavailable: ${down.join(', ')}` },
    });
  };
}
