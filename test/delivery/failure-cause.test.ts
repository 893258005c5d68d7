import fc from 'fast-check';
import {
  describeFailureCause,
  FAILURE_CAUSE_CODES,
  failureCause,
  failureCauseCode,
  storedFailureCause,
  type FailedAttempt,
  type FailureCauseCode,
} from '../../src/delivery/failure-cause';

const answer = (statusCode: number, responseSnippet = ''): FailedAttempt => ({ statusCode, errorClass: null, responseSnippet });
const error = (errorClass: string): FailedAttempt => ({ statusCode: null, errorClass, responseSnippet: null });

describe('the cause of a failed attempt', () => {
  const cases: Array<[string, FailureCauseCode, FailedAttempt]> = [
    ['a 500', 'server_downtime', answer(500, 'Internal Server Error')],
    ['a 503', 'server_downtime', answer(503)],
    ['a 502 from a proxy', 'server_downtime', answer(502, '<html>Bad Gateway</html>')],
    ['a refused connection', 'server_downtime', error('connection_refused')],
    ['a timeout', 'server_downtime', error('timeout')],
    ['a host name that does not resolve', 'server_downtime', error('dns')],
    ['another network error', 'server_downtime', error('network')],
    ['a bare 403', 'firewall_or_permission', answer(403, 'Forbidden')],
    ['a reset connection', 'firewall_or_permission', error('connection_reset')],
    ['a target refused by the SSRF guard', 'firewall_or_permission', error('blocked_target')],
    ['a 403 saying the IP is not whitelisted', 'ip_not_whitelisted', answer(403, 'IP 203.0.113.9 is not whitelisted')],
    ['a 401 saying the IP is not allowed', 'ip_not_whitelisted', answer(401, '{"error":"Your IP address is not allowed"}')],
    ['a 403 denying an address', 'ip_not_whitelisted', answer(403, 'Access denied for 198.51.100.7')],
    ['a 403 naming an allowlist', 'ip_not_whitelisted', answer(403, 'caller not in allowlist')],
    ['a 400 saying the source address is blocked', 'ip_not_whitelisted', answer(400, 'source address blocked')],
    ['a 401', 'invalid_authentication', answer(401, 'Unauthorized')],
    ['a 401 with an empty body', 'invalid_authentication', answer(401)],
    ['a 403 naming an expired token', 'invalid_authentication', answer(403, '{"error":"token expired"}')],
    ['a 403 naming the signature', 'invalid_authentication', answer(403, 'bad signature')],
    ['a 403 naming an API key', 'invalid_authentication', answer(403, 'invalid API key')],
    ['a 200 that breaks the success rule', 'malformed_response', answer(200, 'ERR')],
    ['a 204 that breaks the success rule', 'malformed_response', answer(204)],
    ['a 404', 'other', answer(404, 'Not Found')],
    ['a 400', 'other', answer(400, 'missing click id')],
    ['a 429', 'other', answer(429)],
    ['a redirect', 'other', answer(302)],
    ['a TLS error', 'other', error('tls')],
    ['an invalid URL', 'other', error('invalid_url')],
    ['an error class of another version', 'other', error('something_new')],
  ];

  it.each(cases)('%s is %s', (_, code, attempt) => {
    expect(failureCauseCode(attempt)).toBe(code);
    expect(failureCause(attempt).code).toBe(code);
  });

  it('names the status code of another answer, and the error of a failure without one', () => {
    expect(failureCause(answer(404))).toMatchObject({ label: 'Other: HTTP 404', remedy: expect.stringContaining('HTTP 404') });
    expect(failureCause(error('tls'))).toMatchObject({ label: 'Other: TLS error', remedy: expect.stringContaining('certificate') });
    expect(failureCause(error('invalid_url')).label).toBe('Other: invalid callback URL');
  });

  it("tells a publisher whose IP allow-list refuses us to allow the service's outbound IPs from its endpoint page", () => {
    expect(failureCause(answer(403, 'IP not whitelisted'))).toEqual({
      code: 'ip_not_whitelisted',
      label: 'IP not whitelisted',
      remedy: expect.stringMatching(/allow the service's outbound IP addresses, listed on your endpoint page/),
    });
  });

  it('tells that a target refused by the SSRF guard needs a public address', () => {
    expect(failureCause(error('blocked_target')).remedy).toMatch(/private or internal address/);
    expect(failureCause(error('connection_reset')).remedy).toMatch(/firewall/);
  });

  it('describes each cause in general words without an attempt (the overview)', () => {
    for (const code of FAILURE_CAUSE_CODES) {
      const cause = describeFailureCause(code);
      expect(cause.code).toBe(code);
      expect(cause.label.length).toBeGreaterThan(0);
      expect(cause.remedy).toMatch(/resend\.$/);
    }
    expect(describeFailureCause('other').label).toBe('Other');
  });

  it('reads a stored cause as recorded, and computes the cause of a row recorded without one', () => {
    // Recorded as malformed (a success rule), the 200 stays malformed; unrecorded, the 403 is read from its body.
    expect(storedFailureCause({ ...answer(200), cause: 'malformed_response' }).code).toBe('malformed_response');
    expect(storedFailureCause({ ...answer(403, 'token expired'), cause: null }).code).toBe('invalid_authentication');
    expect(storedFailureCause({ ...answer(503), cause: 'not-a-cause' }).code).toBe('server_downtime');
  });

  it('gives every failed attempt exactly one cause with a label and a remedy, and never throws', () => {
    const statusCode = fc.oneof(fc.constant(null), fc.integer({ min: 100, max: 599 }), fc.integer());
    const errorClass = fc.oneof(
      fc.constant(null),
      fc.constantFrom('timeout', 'connection_refused', 'connection_reset', 'dns', 'tls', 'blocked_target', 'invalid_url', 'network'),
      fc.string(),
    );
    // Bodies of any characters, and bodies made of the words the rules look for.
    const words = fc.constantFrom('IP', ' ip ', '10.0.0.1', 'not allowed', 'whitelist', 'denied', 'token', 'expired', '\n', '.', ' ');
    const responseSnippet = fc.oneof(
      fc.constant(null),
      fc.string({ unit: 'binary', maxLength: 4096 }),
      fc.array(words, { maxLength: 40 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(statusCode, errorClass, responseSnippet, (status, cls, snippet) => {
        const cause = failureCause({ statusCode: status, errorClass: cls, responseSnippet: snippet });
        expect(FAILURE_CAUSE_CODES).toContain(cause.code);
        expect(cause.label).not.toBe('');
        expect(cause.remedy).not.toBe('');
      }),
      { numRuns: 2000 },
    );
  });
});
