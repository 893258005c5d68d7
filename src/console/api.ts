/**
 * The API as the console calls it: same origin, the HttpOnly session cookie sent by the browser, and the session's
 * CSRF token on every request that changes something. Nothing is kept in localStorage; the key is sent once, to sign in.
 */

/** An answer other than 2xx, with the API's error code and message (and any details, e.g. the candidates of a 409). */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The API answers `{ error: { code, message, ... } }`; anything else (a proxy's page) becomes a generic failure. */
function toFailure(status: number, body: unknown): ApiFailure {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) {
    const { code, message, ...details } = error as Record<string, unknown>;
    return new ApiFailure(status, typeof code === 'string' ? code : 'error', typeof message === 'string' ? message : `HTTP ${status}`, details);
  }
  return new ApiFailure(status, 'error', `The service answered HTTP ${status}`, {});
}

export class Api {
  private csrfToken: string | undefined;

  /** Called when the API no longer accepts the session (it expired or was signed out elsewhere). */
  onSessionLost: () => void = () => undefined;

  setCsrfToken(token: string | null | undefined): void {
    this.csrfToken = token ?? undefined;
  }

  /** Empty, null and undefined query values are left out. */
  get<T>(path: string, query: Record<string, string | null | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
    const search = params.toString();
    return this.send<T>('GET', search ? `${path}?${search}` : path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  delete(path: string): Promise<void> {
    return this.send<void>('DELETE', path);
  }

  /** `signIn` requests (POST /v1/session) report a 401 as a failure instead of a lost session. */
  async send<T>(method: string, path: string, body?: unknown, signIn = false): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    const res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const failure = toFailure(res.status, parsed);
      if (res.status === 401 && !signIn) this.onSessionLost();
      throw failure;
    }
    return parsed as T;
  }
}
