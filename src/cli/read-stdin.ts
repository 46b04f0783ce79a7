// Standard input, read as a stream. readFileSync(0) fails with EAGAIN when stdin is a non-blocking pipe
// whose writer has not written yet (`(sleep 1; echo "$BLOB") | license-admin verify -`) or has more to give
// than the pipe buffer holds (~64 KB): a stream waits for the writer and ends only at end of input.
import { readFileSync } from 'node:fs';

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** A file's text, or stdin's when the path is "-". */
export async function readFileOrStdin(path: string): Promise<string> {
  return path === '-' ? readStdin() : readFileSync(path, 'utf8');
}
