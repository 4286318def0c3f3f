import http from 'node:http';

/** One block of a text/event-stream, or one comment line; `at` is when it was complete. */
export interface SseItem {
  comment?: string;
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  at: number;
}

export interface SseResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The whole body of a response that is not a stream (status other than 200). */
  body: string;
  /** For a 200: the stream, read as it arrives. */
  stream: SseStream;
}

/**
 * GET over a real socket. Resolves with the headers of a stream (200), or with the whole body
 * of any other answer.
 */
export function openSse(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<SseResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      const stream = new SseStream(request);
      const status = response.statusCode ?? 0;
      response.setEncoding('utf8');
      if (status !== 200) {
        let body = '';
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status, headers: response.headers, body, stream }));
        return;
      }
      response.on('data', (chunk: string) => stream.feed(chunk));
      response.on('end', () => stream.finish());
      response.on('error', () => stream.finish());
      response.on('close', () => stream.finish());
      resolve({ status, headers: response.headers, body: '', stream });
    });
    request.on('error', reject);
    request.end();
  });
}

/** The parsed stream: items in arrival order, and ways to wait for them. */
export class SseStream {
  readonly items: SseItem[] = [];
  ended = false;
  private buffer = '';
  private block: Omit<SseItem, 'at'> = {};
  private read = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly request: http.ClientRequest) {}

  feed(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer.startsWith('\r\n', newline) ? 2 : 1));
      this.line(line);
    }
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** The next item not yet taken; rejects after timeoutMs or when the stream ends. */
  async next(timeoutMs = 3000): Promise<SseItem> {
    const deadline = Date.now() + timeoutMs;
    while (this.read >= this.items.length) {
      if (this.ended) throw new Error('stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no item within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.items[this.read++];
  }

  /** The next item with an `event` (comments and retry-only blocks are skipped). */
  async nextEvent(timeoutMs = 3000): Promise<SseItem> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.next(Math.max(1, deadline - Date.now()));
      if (item.event !== undefined) return item;
    }
  }

  /** Waits ms and returns the items that arrived meanwhile (taking them). */
  async during(ms: number): Promise<SseItem[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const fresh = this.items.slice(this.read);
    this.read = this.items.length;
    return fresh;
  }

  /** Resolves when the server ends the stream; rejects after timeoutMs. */
  async closed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`stream still open after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.request.destroy();
    this.finish();
  }

  private line(line: string): void {
    if (line === '') {
      if (Object.keys(this.block).length > 0) this.push({ ...this.block });
      this.block = {};
      return;
    }
    if (line.startsWith(':')) {
      this.push({ comment: line.slice(1).trim() });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data')
      this.block.data = this.block.data === undefined ? value : `${this.block.data}\n${value}`;
    else if (field === 'id' || field === 'event' || field === 'retry') this.block[field] = value;
  }

  private push(item: Omit<SseItem, 'at'>): void {
    this.items.push({ ...item, at: Date.now() });
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
