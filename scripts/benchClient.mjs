// A lean keep-alive HTTP/1.1 client for the benchmark, so that the load generator costs little CPU
// next to the server it measures (the way wrk does). One connection per client, one request at a time.
import net from 'node:net';

export class BenchConnection {
  constructor(url) {
    const { hostname, port } = new URL(url);
    this.host = `${hostname}:${port}`;
    this.socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
    this.buffer = Buffer.alloc(0);
    this.pending = undefined;
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (e) => this.pending?.reject(e));
  }

  request(method, path, body) {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(payload.length ? Buffer.concat([Buffer.from(head), payload]) : head);
    });
  }

  onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const text = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const { resolve, reject } = this.pending;
    this.pending = undefined;
    if (status !== 200) reject(new Error(`HTTP ${status}: ${text}`));
    else resolve(text);
  }

  close() {
    this.socket.end();
  }
}

/** The URL a `runlens server` child prints once it listens; rejects if it exits first. */
export function serverUrl(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}
