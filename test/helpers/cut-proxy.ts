// A TCP proxy on 127.0.0.1 that can drop every connection once N bytes went from client to server:
// a network failure in the middle of a request, for resumability tests.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface CutProxy {
  url: string;
  /** Bytes forwarded client -> server so far. */
  forwarded(): number;
  /** Destroy all connections once this many more bytes have gone upstream (once). */
  cutAfter(bytes: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCutProxy(target: URL): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let forwarded = 0;
  let cutAt = Infinity;
  let onCut: (() => void) | null = null;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
      if (forwarded >= cutAt) {
        cutAt = Infinity;
        for (const s of sockets) s.destroy();
        sockets.clear();
        onCut?.();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded: () => forwarded,
    cutAfter: (bytes) =>
      new Promise<void>((resolve) => {
        cutAt = forwarded + bytes;
        onCut = resolve;
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
