/** Assembles the gRPC services of one embedded server instance. */
import type * as grpc from '@grpc/grpc-js';
import { createGrpcServer, ServiceHandlers } from './transport/grpc-server';
import { createServerState, ServerState } from './core/state';
import { executionHandlers } from './handlers/executions';
import { historyHandlers } from './handlers/history';
import { healthHandlers, systemHandlers } from './handlers/system';
import { taskHandlers } from './handlers/tasks';
import { testServiceHandlers } from './handlers/test-service';
import { operatorHandlers, visibilityHandlers } from './handlers/visibility';

export function buildServer(opts: { timeSkipping: boolean; startLocked: boolean; log: (line: string) => void }): { grpcServer: grpc.Server; state: ServerState } {
  const state = createServerState(opts);
  const services: ServiceHandlers = {
    'temporal.api.workflowservice.v1.WorkflowService': {
      ...systemHandlers(state),
      ...executionHandlers(state),
      ...historyHandlers(state),
      ...taskHandlers(state),
      ...visibilityHandlers(state),
    },
    'temporal.api.operatorservice.v1.OperatorService': operatorHandlers(state),
    'temporal.api.testservice.v1.TestService': testServiceHandlers(state.clock),
    'grpc.health.v1.Health': healthHandlers(),
  };
  return { grpcServer: createGrpcServer(services, opts.log), state };
}
