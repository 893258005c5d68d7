import type { Express } from 'express';

/** One route of the app: its full Express path (`/v1/conversions/:conversionId`) and the methods it has. */
export interface RouteEntry {
  path: string;
  /** Upper case, as registered; without `.all()` handlers (405 and OPTIONS) and the HEAD that Express adds to GET. */
  methods: string[];
}

/** What Express 5's router (router 2.3) lists of itself: `listRoutes()`, which does not recurse into mounted routers. */
interface ListedRoute {
  path: string | RegExp;
  methods?: string[];
  router?: { listRoutes?(): ListedRoute[] };
}

interface IntrospectableRouter {
  listRoutes(): ListedRoute[];
}

function collect(router: IntrospectableRouter, prefix: string): RouteEntry[] {
  return router.listRoutes().flatMap((listed): RouteEntry[] => {
    if (typeof listed.path !== 'string') throw new Error(`route table: a RegExp path (${String(listed.path)}) has no pattern to name it by`);
    const path = `${prefix}${listed.path === '/' && listed.router ? '' : listed.path}`;
    if (listed.router?.listRoutes) return collect(listed.router as IntrospectableRouter, path);
    const methods = (listed.methods ?? []).filter((method) => method !== '*' && method !== 'HEAD');
    return methods.length > 0 ? [{ path, methods }] : [];
  });
}

/**
 * Every route of `app`, mounted routers included, in the order Express matches them. The OpenAPI test compares
 * it with the document; the request metrics name a request by the pattern it matched.
 */
export function routeTable(app: Express): RouteEntry[] {
  return collect(app.router as unknown as IntrospectableRouter, '');
}

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/**
 * The path of the first route `path` (a request path, without its query) matches, as Express matches it: literal
 * segments case-insensitively, `:name` any one segment, `*name` the rest. Undefined when none does.
 */
export function matchingRoute(table: readonly RouteEntry[], path: string): string | undefined {
  const given = segments(path);
  return table.find(({ path: pattern }) => {
    const wanted = segments(pattern);
    for (const [i, segment] of wanted.entries()) {
      if (segment.startsWith('*')) return given.length > i;
      if (i >= given.length) return false;
      if (!segment.startsWith(':') && segment.toLowerCase() !== given[i].toLowerCase()) return false;
    }
    return wanted.length === given.length;
  })?.path;
}
