import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { ConfigError } from '../../model/errors.ts';

/**
 * The binding rule every rlaudit server follows (`serve`, `serve-reward`): loopback by default; any other host
 * only with a token, which every request then sends as `Authorization: Bearer <token>`.
 */

/** True for the loopback names and addresses: `localhost`, 127.0.0.0/8, `::1` (and its IPv4-mapped form). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.split('.')[0] === '127';
}

export interface BindOptions {
  readonly host: string;
  readonly port: number;
  readonly token?: string | undefined;
}

/** Refuses (ConfigError, exit 2) a non-loopback host without a token, a short token, and an invalid port. */
export function checkBind(command: string, options: BindOptions): void {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new ConfigError(`${command}: --port must be an integer from 0 to 65535 (got ${options.port})`);
  }
  if (options.token !== undefined && options.token.length < 16) {
    throw new ConfigError(`${command}: --token must be at least 16 characters (got ${options.token.length})`);
  }
  if (!isLoopbackHost(options.host) && options.token === undefined) {
    throw new ConfigError(
      `${command}: --host ${options.host} is reachable from other machines; give --token T (at least 16 characters) ` +
        'so every request must send "Authorization: Bearer T", or bind to 127.0.0.1 (the default)',
    );
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Hono middleware: when a token is set, a request without `Authorization: Bearer <token>` gets 401 (JSON body
 * naming what is missing). Without a token (loopback only, by `checkBind`) every request passes.
 */
export function requireToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) return next();
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !sameSecret(m[1]!.trim(), token)) {
      c.header('WWW-Authenticate', 'Bearer realm="rlaudit"');
      return c.json(
        { error: 'unauthorized', message: 'send the server token as "Authorization: Bearer <token>"' },
        401,
      );
    }
    return next();
  };
}
