import http from 'node:http';
import { conversionJson } from '../chaos/stack';

/** POST /v1/conversions over keep-alive connections, as a platform's backend would send them. */
export class ApiClient {
  private readonly agent: http.Agent;

  constructor(
    private readonly apiUrl: string,
    private readonly headers: Record<string, string>,
    concurrency: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  /** Records one conversion; rejects unless the API answers 201 (a new conversion, its delivery started). */
  postConversion(conversionId: string, publisherId: string): Promise<void> {
    const body = conversionJson(conversionId, publisherId);
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.apiUrl}/v1/conversions`, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'Content-Length': String(Buffer.byteLength(body)) },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode === 201) return resolve();
          reject(new Error(`POST /v1/conversions (${conversionId}) answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`));
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
