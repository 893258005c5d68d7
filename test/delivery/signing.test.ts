import { createHmac } from 'node:crypto';
import { signCallback } from '../../src/delivery/signing';

describe('Standard Webhooks signing', () => {
  it('signs "id.timestamp.body" with HMAC-SHA256 and sends the v1 scheme', () => {
    const body = '{"conversionId":"conv-1"}';
    const headers = signCallback('s3cret', 'conv-1', 1_700_000_000.9, body);
    const expected = createHmac('sha256', 's3cret').update(`conv-1.1700000000.${body}`).digest('base64');
    expect(headers).toEqual({
      'webhook-id': 'conv-1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('decodes a whsec_ secret to its key bytes, as Standard Webhooks libraries do', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const headers = signCallback(`whsec_${key.toString('base64')}`, 'msg_1', 1_700_000_000, 'x');
    const expected = createHmac('sha256', key).update('msg_1.1700000000.x').digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });
});
