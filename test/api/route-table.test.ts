import express, { Router } from 'express';
import { matchingRoute, routeTable } from '../../src/api/route-table';

/** The routes of an app as Express holds them, and the pattern a request path matches (the metrics' route label). */
describe('route table', () => {
  function app() {
    const nested = Router();
    nested.route('/items/:itemId').get(() => undefined).put(() => undefined).all(() => undefined);
    nested.post('/items/:itemId/actions/run', () => undefined);
    const result = express();
    result.get('/plain', () => undefined);
    result.use((_req, _res, next) => next());
    result.use('/v2', nested);
    result.use(Router().get('/files/*path', () => undefined));
    return result;
  }

  it('lists every route with its full path and methods, mounted routers included, without .all() and HEAD', () => {
    expect(routeTable(app())).toEqual([
      { path: '/plain', methods: ['GET'] },
      { path: '/v2/items/:itemId', methods: ['GET', 'PUT'] },
      { path: '/v2/items/:itemId/actions/run', methods: ['POST'] },
      { path: '/files/*path', methods: ['GET'] },
    ]);
  });

  it.each([
    ['/plain', '/plain'],
    ['/PLAIN/', '/plain'],
    ['/v2/items/abc', '/v2/items/:itemId'],
    ['/v2/items/abc/actions/run', '/v2/items/:itemId/actions/run'],
    ['/files/a/b/c.txt', '/files/*path'],
    ['/v2/items', undefined],
    ['/v2/items/abc/actions', undefined],
    ['/files', undefined],
    ['/', undefined],
  ])('%s matches %s', (path, pattern) => {
    expect(matchingRoute(routeTable(app()), path)).toBe(pattern);
  });
});
