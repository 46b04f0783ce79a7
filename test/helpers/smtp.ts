// In-process SMTP server for tests (smtp-server + mailparser; recipe: /work/shared/NOTES.md).
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface SmtpOptions {
  /** If given, AUTH (PLAIN/LOGIN) is required and only these username -> password pairs pass; others get 535. */
  users?: Record<string, string>;
  /** RCPT TO addresses (case-insensitive) answered with 550. */
  rejectRecipients?: string[];
}

/** A received message: the parsed mail plus the SMTP envelope (shows BCC recipients, which headers don't). */
export type ReceivedMail = ParsedMail & {
  envelope: { mailFrom: string | false; rcptTo: string[] };
  /** Username that authenticated on the connection, if any. */
  authUser?: string;
};

export interface SmtpInstance {
  port: number;
  host: '127.0.0.1';
  inbox: ReceivedMail[];
  /** Resolves with (a copy of) the inbox once it holds at least n messages; rejects after timeoutMs (default 10 s). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtp(opts: SmtpOptions = {}): Promise<SmtpInstance> {
  return startSmtpOnPort(0, opts);
}

/** Like startSmtp but on a given port (0 = any free port), e.g. to restart a server where the CLI expects it. */
export async function startSmtpOnPort(port: number, opts: SmtpOptions = {}): Promise<SmtpInstance> {
  const inbox: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const users = opts.users;
  const rejected = new Set((opts.rejectRecipients ?? []).map((a) => a.toLowerCase()));

  const smtpError = (message: string, responseCode: number): Error =>
    Object.assign(new Error(message), { responseCode });

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    // Plain-text AUTH on loopback (there is no TLS in tests).
    allowInsecureAuth: true,
    // Without users, AUTH is optional and any credentials are accepted.
    authOptional: !users,
    closeTimeout: 500,
    onAuth(auth, _session, cb) {
      if (!users) return cb(null, { user: auth.username ?? 'anonymous' });
      const user = auth.username ?? '';
      if (Object.prototype.hasOwnProperty.call(users, user) && users[user] === auth.password) {
        return cb(null, { user });
      }
      return cb(smtpError('Invalid username or password', 535));
    },
    onRcptTo(address: SMTPServerAddress, _session, cb) {
      if (rejected.has(address.address.toLowerCase())) {
        return cb(smtpError(`Recipient ${address.address} rejected`, 550));
      }
      return cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          const received = mail as ReceivedMail;
          received.envelope = {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
          };
          if (typeof session.user === 'string') received.authUser = session.user;
          inbox.push(received);
          for (const w of [...waiters]) w();
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  // Log, don't crash the test process, on late socket errors.
  server.on('error', (err: Error) => {
    if (process.env.DEBUG_SMTP) console.error('smtp test server error:', err);
  });

  const addr = server.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  let closed: Promise<void> | undefined;

  return {
    port: actualPort,
    host: '127.0.0.1',
    inbox,
    waitFor(n: number, timeoutMs = 10_000) {
      if (inbox.length >= n) return Promise.resolve([...inbox]);
      return new Promise<ReceivedMail[]>((resolve, reject) => {
        const check = () => {
          if (inbox.length >= n) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve([...inbox]);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP inbox has ${inbox.length} message(s) after ${timeoutMs} ms; expected ${n}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}
