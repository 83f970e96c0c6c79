// A loopback HTTP endpoint where the test driver (in code-server's extension host) posts results, one JSON event per
// request. The URL carries a random token, so only the driver this run started can report.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { TestEvent } from './testEvents';

export interface ReportServer {
  /** Given to the driver through IPINV_TEST_REPORT_URL. */
  readonly url: string;
  readonly close: () => Promise<void>;
}

const maxBody = 1024 * 1024;

function isTestEvent(value: unknown): value is TestEvent {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'hello' || type === 'test' || type === 'end';
}

/** onEvent returns false to refuse an event (answered 409): the runner refuses a second extension host's hello. */
export function startReportServer(onEvent: (event: TestEvent) => boolean): Promise<ReportServer> {
  const token = randomBytes(16).toString('hex');
  const server = http.createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== `/${token}`) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        const event: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (!isTestEvent(event)) throw new Error('not a test event');
        response.writeHead(onEvent(event) ? 204 : 409).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) {
        reject(new Error('report server has no address'));
        return;
      }
      resolve({
        url: `http://127.0.0.1:${address.port}/${token}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
