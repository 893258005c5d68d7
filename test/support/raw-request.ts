import type { Test } from 'supertest';

/**
 * Sends `body` byte for byte, whatever Content-Type the test set (or none): superagent would JSON-serialise a Buffer
 * sent as application/json, and give a string without a type `application/x-www-form-urlencoded`.
 */
export function sendBytes(test: Test, body: Buffer | string): Test {
  const bytes = Buffer.from(body);
  // superagent passes a Buffer returned by the serializer to the socket unchanged; its type says string.
  return test.serialize(() => bytes as unknown as string).send(bytes);
}

/** A JSON text (which JSON.stringify could not produce, e.g. with a lone surrogate escape) as application/json. */
export function sendJsonText(test: Test, text: string): Test {
  return sendBytes(test.set('Content-Type', 'application/json'), text);
}
