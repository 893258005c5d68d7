import { status as grpcStatus } from '@grpc/grpc-js';
import type { ConnectionLike } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** Search attributes that let operators find a delivery in the Web UI (e.g. `ConversionId = "conv-1001"`). */
export const CONVERSION_ID = defineSearchAttributeKey('ConversionId', SearchAttributeType.KEYWORD);
export const PUBLISHER_ID = defineSearchAttributeKey('PublisherId', SearchAttributeType.KEYWORD);
const KEYS = [CONVERSION_ID, PUBLISHER_ID];

/** `--search-attribute` values for `temporal server start-dev`, and the names in the README's cluster commands. */
export const DEV_SERVER_SEARCH_ATTRIBUTES = KEYS.map((key) => `${key.name}=Keyword`);

/** The attributes a delivery workflow carries. */
export function deliverySearchAttributes(ids: { conversionId: string; publisherId: string }): SearchAttributePair[] {
  return [
    { key: CONVERSION_ID, value: ids.conversionId },
    { key: PUBLISHER_ID, value: ids.publisherId },
  ];
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** Thrown when the namespace lacks the attributes and this service may not create them. */
export class SearchAttributesMissingError extends Error {
  override readonly name = 'SearchAttributesMissingError';
  constructor(
    readonly namespace: string,
    readonly missing: readonly string[],
    cause: unknown,
  ) {
    super(
      `The Temporal namespace "${namespace}" lacks the search attributes ${missing.join(', ')} and they could not be created ` +
        `(${(cause as Error).message}). Create them once with: ` +
        missing.map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`).join(' && '),
      { cause },
    );
  }
}

function isUnimplemented(err: unknown): boolean {
  return (err as { code?: unknown }).code === grpcStatus.UNIMPLEMENTED;
}

/**
 * Registers the delivery search attributes in `namespace` when they are missing: a workflow start that names an
 * unknown attribute is refused, so this runs before the service starts any. Idempotent. (Temporal's time-skipping
 * test server cannot list attributes, only add them: there they are added without looking.)
 */
export async function ensureSearchAttributes(connection: Pick<ConnectionLike, 'operatorService'>, namespace: string): Promise<void> {
  let existing: Record<string, unknown> = {};
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    if (!isUnimplemented(err)) throw err;
  }
  const missing = KEYS.map((key) => key.name).filter((name) => !(name in existing));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (err) {
    throw new SearchAttributesMissingError(namespace, missing, err);
  }
}
