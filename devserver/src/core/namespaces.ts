/** Registered namespaces and their custom search attributes. `default` always exists. */
import { randomUUID } from 'node:crypto';
import { enums } from '../proto';
import { RpcError, invalidArgument, notFound } from '../transport/rpc-error';
import { status } from '@grpc/grpc-js';

export interface Namespace {
  readonly name: string;
  readonly id: string;
  readonly description: string;
  readonly ownerEmail: string;
  readonly retentionMs: number;
  readonly registeredMs: number;
  /** Custom search attribute name → IndexedValueType. */
  readonly searchAttributes: Map<string, enums.IndexedValueType>;
}

/** The system search attributes every namespace has (ListSearchAttributes reports them). */
export const SYSTEM_SEARCH_ATTRIBUTES: Record<string, enums.IndexedValueType> = {
  WorkflowId: enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  RunId: enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  WorkflowType: enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  ExecutionStatus: enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  TaskQueue: enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  StartTime: enums.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  CloseTime: enums.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  ExecutionTime: enums.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** Custom attributes pre-registered like the CLI dev server does, so SDK samples work out of the box. */
const DEFAULT_CUSTOM_ATTRIBUTES: Record<string, enums.IndexedValueType> = {
  CustomKeywordField: enums.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  CustomStringField: enums.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  CustomTextField: enums.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  CustomIntField: enums.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  CustomDoubleField: enums.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  CustomBoolField: enums.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  CustomDatetimeField: enums.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

export class Namespaces {
  private readonly byName = new Map<string, Namespace>();

  constructor(private readonly now: () => number) {
    this.register({ name: 'default', description: 'Default namespace of the embedded dev server' });
  }

  register(opts: { name: string; description?: string; ownerEmail?: string; retentionMs?: number }): Namespace {
    if (!opts.name) throw invalidArgument('Namespace name is required.');
    if (this.byName.has(opts.name)) throw new RpcError(status.ALREADY_EXISTS, `Namespace ${opts.name} already exists.`);
    const namespace: Namespace = {
      name: opts.name,
      id: randomUUID(),
      description: opts.description ?? '',
      ownerEmail: opts.ownerEmail ?? '',
      retentionMs: opts.retentionMs || 24 * 3600 * 1000,
      registeredMs: this.now(),
      searchAttributes: new Map(Object.entries(DEFAULT_CUSTOM_ATTRIBUTES)),
    };
    this.byName.set(namespace.name, namespace);
    return namespace;
  }

  get(name: string | null | undefined): Namespace {
    const namespace = this.byName.get(name || '');
    if (!namespace) throw notFound(`Namespace ${name || '(empty)'} is not found.`);
    return namespace;
  }

  getById(id: string): Namespace {
    for (const namespace of this.byName.values()) if (namespace.id === id) return namespace;
    throw notFound(`Namespace id ${id} is not found.`);
  }

  list(): Namespace[] {
    return [...this.byName.values()];
  }

  /** Attribute name → type name as the visibility query compiler wants it ('Keyword', 'Int', ...). */
  customAttributeTypes(namespace: Namespace): Map<string, string> {
    const names = new Map<string, string>();
    for (const [name, type] of namespace.searchAttributes) names.set(name, indexedValueTypeName(type));
    return names;
  }
}

export function indexedValueTypeName(type: enums.IndexedValueType): string {
  const name = enums.IndexedValueType[type] ?? 'INDEXED_VALUE_TYPE_UNSPECIFIED';
  // INDEXED_VALUE_TYPE_KEYWORD_LIST → KeywordList
  return name
    .replace('INDEXED_VALUE_TYPE_', '')
    .split('_')
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join('');
}
