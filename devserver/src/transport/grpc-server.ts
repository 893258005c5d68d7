/**
 * gRPC transport: serves Temporal's services from the protobufjs reflection root shipped in @temporalio/proto.
 * Handlers receive plain decoded requests (int64 as number, enums numeric) and return plain response objects.
 */
import * as grpc from '@grpc/grpc-js';
import protoRoot from '@temporalio/proto';
import type { Type, Method } from 'protobufjs';
import { RpcError, encodeStatusDetails } from './rpc-error';

/** What a handler may know about the call: its deadline (for long polls) and a signal when the caller goes away. */
export interface CallContext {
  /** Milliseconds until the caller's deadline, or Infinity when it set none. */
  readonly remainingMs: () => number;
  readonly cancelled: AbortSignal;
}

/** A handler declares the request type it reads; requests arrive decoded as plain objects. */
export type Handler = (request: never, ctx: CallContext) => Promise<object> | object;

/** Handlers by service (full name) and method name. */
export type ServiceHandlers = Record<string, Record<string, Handler>>;

const DECODE_OPTIONS = { longs: Number, defaults: false } as const;

interface Root {
  lookupService(path: string): { methods: Record<string, Method> };
}

function definitionFor(serviceName: string): grpc.ServiceDefinition {
  const service = (protoRoot as unknown as Root).lookupService(serviceName);
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const [name, method] of Object.entries(service.methods)) {
    method.resolve();
    const requestType = method.resolvedRequestType as Type;
    const responseType = method.resolvedResponseType as Type;
    definition[name] = {
      path: `/${serviceName}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: object) => Buffer.from(requestType.encode(value).finish()),
      requestDeserialize: (bytes: Buffer) => requestType.toObject(requestType.decode(bytes), DECODE_OPTIONS),
      responseSerialize: (value: object) => Buffer.from(responseType.encode(value).finish()),
      responseDeserialize: (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), DECODE_OPTIONS),
    };
  }
  return definition;
}

function toServiceError(err: unknown, method: string, log: (line: string) => void): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) {
    const metadata = new grpc.Metadata();
    if (err.details.length > 0) metadata.set('grpc-status-details-bin', encodeStatusDetails(err));
    return { code: err.code, details: err.message, metadata };
  }
  log(`internal error in ${method}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { code: grpc.status.INTERNAL, details: `internal error in ${method}: ${(err as Error)?.message ?? err}` };
}

/**
 * The call's context. grpc-js emits 'cancelled' whenever a call's stream closes, even after a normal answer, so the
 * abort signal is made only for handlers that ask for it (long polls), and a call that has answered ignores it.
 */
function contextOf(call: grpc.ServerUnaryCall<unknown, unknown>): CallContext & { answered(): void } {
  const deadline = call.getDeadline();
  const deadlineMs =
    deadline instanceof Date ? deadline.getTime() : typeof deadline === 'number' && isFinite(deadline) ? deadline : Infinity;
  let controller: AbortController | undefined;
  let done = false;
  return {
    remainingMs: () => deadlineMs - Date.now(),
    get cancelled(): AbortSignal {
      if (!controller) {
        const created = new AbortController();
        controller = created;
        call.once('cancelled', () => {
          if (!done) created.abort();
        });
      }
      return controller.signal;
    },
    answered: () => {
      done = true;
    },
  };
}

/** Registers every method of each service; a method without a handler answers UNIMPLEMENTED naming it. */
export function createGrpcServer(services: ServiceHandlers, log: (line: string) => void): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 128 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
  });
  for (const [serviceName, handlers] of Object.entries(services)) {
    const definition = definitionFor(serviceName);
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const name of Object.keys(definition)) {
      const handler = handlers[name];
      const qualified = `${serviceName.split('.').pop()}/${name}`;
      implementation[name] = (call: grpc.ServerUnaryCall<Record<string, unknown>, object>, callback: grpc.sendUnaryData<object>) => {
        if (!handler) {
          log(`unimplemented call ${qualified}`);
          callback({ code: grpc.status.UNIMPLEMENTED, details: `${qualified} is not implemented by the embedded dev server` });
          return;
        }
        const ctx = contextOf(call);
        Promise.resolve()
          .then(() => handler(call.request as never, ctx))
          .then(
            (response) => {
              ctx.answered();
              callback(null, response);
            },
            (err: unknown) => {
              ctx.answered();
              callback(toServiceError(err, qualified, log));
            },
          );
      };
    }
    server.addService(definition, implementation);
  }
  return server;
}

export function bindServer(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}
