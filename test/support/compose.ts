import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The parts of a docker-compose.yml service the tests read. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  stop_grace_period?: string;
}

/** The services of the repository's docker-compose.yml, merge keys (`<<: *service-env`, YAML 1.1, which Compose supports) applied. */
export function composeServices(): Record<string, ComposeService> {
  const file = readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8');
  return (parse(file, { merge: true }) as { services: Record<string, ComposeService> }).services;
}
