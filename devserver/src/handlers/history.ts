/** GetWorkflowExecutionHistory (paging, long poll, close-event filter) and its reverse form. */
import type { CallContext, Handler } from '../transport/grpc-server';
import { Plain, ws, enums, HistoryEvent } from '../proto';
import type { ServerState } from '../core/state';

const DEFAULT_PAGE_SIZE = 1000;
/** How long a long poll waits for a new event before answering empty, as Temporal's 20-second long poll. */
const LONG_POLL_MS = 20_000;
const DEADLINE_MARGIN_MS = 500;

function pageToken(offset: number): Buffer {
  return Buffer.from(String(offset));
}

function offsetOf(token: Uint8Array | null | undefined): number {
  const offset = token && token.length > 0 ? Number(Buffer.from(token).toString()) : 0;
  return Number.isInteger(offset) && offset >= 0 ? offset : 0;
}

function waitBudget(ctx: CallContext): number {
  return Math.max(0, Math.min(LONG_POLL_MS, ctx.remainingMs() - DEADLINE_MARGIN_MS));
}

export function historyHandlers(state: ServerState): Record<string, Handler> {
  return {
    GetWorkflowExecutionHistory: async (req: Plain<ws.GetWorkflowExecutionHistoryRequest.$Properties>, ctx: CallContext) => {
      const run = state.store.get(req.namespace ?? '', req.execution);
      const deadline = Date.now() + waitBudget(ctx);
      if (req.historyEventFilterType === enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT) {
        while (run.isOpen && req.waitNewEvent && Date.now() < deadline && !ctx.cancelled.aborted) {
          await run.history.waitForChange(deadline - Date.now(), ctx.cancelled);
        }
        if (run.isOpen) return { history: { events: [] }, nextPageToken: req.waitNewEvent ? pageToken(0) : undefined };
        return { history: { events: [run.history.events[run.history.length - 1]] } };
      }
      const offset = offsetOf(req.nextPageToken);
      while (req.waitNewEvent && run.isOpen && run.history.length <= offset && Date.now() < deadline && !ctx.cancelled.aborted) {
        await run.history.waitForChange(deadline - Date.now(), ctx.cancelled);
      }
      const pageSize = req.maximumPageSize || DEFAULT_PAGE_SIZE;
      const events = run.history.events.slice(offset, offset + pageSize);
      const end = offset + events.length;
      const more = end < run.history.length || (Boolean(req.waitNewEvent) && run.isOpen);
      return { history: { events }, nextPageToken: more ? pageToken(end) : undefined };
    },

    GetWorkflowExecutionHistoryReverse: (req: Plain<ws.GetWorkflowExecutionHistoryReverseRequest.$Properties>) => {
      const run = state.store.get(req.namespace ?? '', req.execution);
      const skip = offsetOf(req.nextPageToken);
      const pageSize = req.maximumPageSize || DEFAULT_PAGE_SIZE;
      const events: HistoryEvent[] = run.history.events.slice().reverse().slice(skip, skip + pageSize);
      const end = skip + events.length;
      return { history: { events }, nextPageToken: end < run.history.length ? pageToken(end) : undefined };
    },
  };
}
