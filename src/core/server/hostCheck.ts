import * as net from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The host name of a Host header, without its port ("[::1]:5000" → "::1"). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

function isLoopback(name: string): boolean {
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return true;
  return net.isIPv4(name) && name.startsWith('127.');
}

function isPrivateAddress(name: string): boolean {
  if (net.isIPv4(name)) {
    const [a, b] = name.split('.').map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a === 127;
  }
  return net.isIPv6(name) && (name.startsWith('fc') || name.startsWith('fd') || name.startsWith('fe80'));
}

function matchesPattern(name: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return name.endsWith(p.slice(1));
  return hostName(p) === name;
}

/**
 * DNS-rebinding protection: a request must name a loopback host, the address the server is
 * bound to, (when bound to a non-loopback address) a private-network address, or an allowed host.
 */
export function isHostAllowed(header: string | undefined, boundHost: string, allowedHosts: readonly string[]): boolean {
  if (!header) return false;
  const name = hostName(header);
  if (isLoopback(name)) return true;
  if (name === hostName(boundHost)) return true;
  if (!isLoopback(hostName(boundHost)) && isPrivateAddress(name)) return true;
  return allowedHosts.some((p) => matchesPattern(name, p));
}

/** Whether an Origin header may make state-changing requests (a same-machine origin or none). */
export function isOriginAllowed(origin: string | undefined, allowedHosts: readonly string[]): boolean {
  if (!origin) return true;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const name = hostName(url.host);
    return isLoopback(name) || allowedHosts.some((p) => matchesPattern(name, p));
  } catch {
    return false;
  }
}
