import http from 'node:http';
import { conversionJson } from '../chaos/stack';

/** POST /v1/conversions (one by one, or in batches) over keep-alive connections, as a platform's backend would send them. */
export class ApiClient {
  private readonly agent: http.Agent;

  constructor(
    private readonly apiUrl: string,
    private readonly headers: Record<string, string>,
    concurrency: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  private post(path: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.apiUrl}${path}`, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'Content-Length': String(Buffer.byteLength(body)) },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.end(body);
    });
  }

  /** Records one conversion; rejects unless the API answers 201 (a new conversion, stored). */
  async postConversion(conversionId: string, publisherId: string): Promise<void> {
    const { status, text } = await this.post('/v1/conversions', conversionJson(conversionId, publisherId));
    if (status !== 201) throw new Error(`POST /v1/conversions (${conversionId}) answered ${status}: ${text}`);
  }

  /** Records these conversions in one POST /v1/conversions/batch; rejects unless the API created every one. */
  async postBatch(conversionIds: readonly string[], publisherId: string): Promise<void> {
    const body = `{"conversions":[${conversionIds.map((id) => conversionJson(id, publisherId)).join(',')}]}`;
    const { status, text } = await this.post('/v1/conversions/batch', body);
    if (status !== 200) throw new Error(`POST /v1/conversions/batch answered ${status}: ${text.slice(0, 500)}`);
    const { created } = JSON.parse(text) as { created: number };
    if (created !== conversionIds.length) {
      throw new BatchShortfall(conversionIds.length - created, `POST /v1/conversions/batch created ${created} of ${conversionIds.length}: ${text.slice(0, 500)}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A batch answered 200 in which some conversions were not created: those count as errors, not the whole batch. */
export class BatchShortfall extends Error {
  override readonly name = 'BatchShortfall';
  constructor(
    readonly refused: number,
    message: string,
  ) {
    super(message);
  }
}
