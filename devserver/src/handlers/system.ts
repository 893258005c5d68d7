/** System and namespace calls: GetSystemInfo, Describe/List/RegisterNamespace, gRPC health. */
import type { Handler } from '../transport/grpc-server';
import { enums, msToDuration, msToTimestamp, durationToMs, Duration } from '../proto';
import type { Namespace } from '../core/namespaces';
import type { ServerState } from '../core/state';

export const SERVER_VERSION = '1.24.0-embedded';

function describe(ns: Namespace) {
  return {
    namespaceInfo: {
      name: ns.name,
      state: enums.NamespaceState.NAMESPACE_STATE_REGISTERED,
      description: ns.description,
      ownerEmail: ns.ownerEmail,
      id: ns.id,
      // Workers switch on features by these; none of the optional ones is implemented here.
      capabilities: { eagerWorkflowStart: false, syncUpdate: false, asyncUpdate: false },
    },
    config: {
      workflowExecutionRetentionTtl: msToDuration(ns.retentionMs),
      historyArchivalState: enums.ArchivalState.ARCHIVAL_STATE_DISABLED,
      visibilityArchivalState: enums.ArchivalState.ARCHIVAL_STATE_DISABLED,
    },
    replicationConfig: { activeClusterName: 'active', clusters: [{ clusterName: 'active' }] },
    isGlobalNamespace: false,
  };
}

export function systemHandlers(state: ServerState): Record<string, Handler> {
  return {
    GetSystemInfo: () => ({
      serverVersion: SERVER_VERSION,
      capabilities: {
        signalAndQueryHeader: true,
        internalErrorDifferentiation: true,
        activityFailureIncludeHeartbeat: true,
        supportsSchedules: false,
        encodedFailureAttributes: true,
        upsertMemo: true,
        sdkMetadata: true,
        countGroupByExecutionStatus: false,
        eagerWorkflowStart: false,
        buildIdBasedVersioning: false,
        nexus: false,
      },
    }),
    DescribeNamespace: (req: { namespace?: string; id?: string }) =>
      describe(req.id ? state.namespaces.getById(req.id) : state.namespaces.get(req.namespace)),
    ListNamespaces: () => ({ namespaces: state.namespaces.list().map(describe) }),
    RegisterNamespace: (req: { namespace?: string; description?: string; ownerEmail?: string; workflowExecutionRetentionPeriod?: Duration }) => {
      state.namespaces.register({
        name: req.namespace ?? '',
        description: req.description,
        ownerEmail: req.ownerEmail,
        retentionMs: durationToMs(req.workflowExecutionRetentionPeriod),
      });
      return {};
    },
    GetClusterInfo: () => ({
      supportedClients: {},
      serverVersion: SERVER_VERSION,
      clusterId: 'embedded',
      clusterName: 'active',
      historyShardCount: 1,
      persistenceStore: 'memory',
      visibilityStore: 'memory',
      versionInfo: { current: { version: SERVER_VERSION, releaseTime: msToTimestamp(0) } },
    }),
  };
}

export function healthHandlers(): Record<string, Handler> {
  return { Check: () => ({ status: 1 /* SERVING */ }) };
}
