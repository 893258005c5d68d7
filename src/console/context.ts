import type { Api } from './api';
import type { Route } from './router';
import type { Session } from './types';

/** What a page is given: the API, who is signed in, its route, where to render, and when to stop (navigation). */
export interface PageContext {
  api: Api;
  session: Session;
  route: Route;
  main: HTMLElement;
  /** Aborted when the user leaves the page: polling and charts stop. */
  signal: AbortSignal;
}

export type PageRenderer = (context: PageContext) => Promise<void>;

/**
 * What the signed-in key may do, so the console offers only that (the API enforces it either way): viewer keys read
 * only; admin edits every publisher, a publisher key its own; operator and publisher keys resend and test.
 */
export const can = {
  resend: (session: Session): boolean => session.role !== 'viewer',
  testCallback: (session: Session): boolean => session.role !== 'viewer',
  editPublisher: (session: Session, publisherId: string): boolean => session.role === 'admin' || session.publisherId === publisherId,
  createPublisher: (session: Session): boolean => session.role === 'admin',
  /** Publisher keys see one publisher: no publisher filter to choose. */
  choosePublisher: (session: Session): boolean => session.publisherId === null,
};

/** Waits `ms`, or less when the page is left; says whether the page is still shown. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => resolve(!signal.aborted), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(false);
    }, { once: true });
  });
}
