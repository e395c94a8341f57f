/**
 * The proxy n8n would use for a URL, read from the environment with the rules of `proxy-from-env` 1.1.0, which
 * n8n-core's request helper follows in n8n 1.x and @n8n/backend-network in 2.x (docs/transport.md):
 * - `<scheme>_proxy` (`HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http), else `ALL_PROXY`; each name also as
 *   `npm_config_*`, lower case before upper case; a proxy without a scheme takes the URL's.
 * - `NO_PROXY`: `*` bypasses every host; entries split at commas or spaces, each `host` (exact match) or `.domain`
 *   / `*.domain` (suffix match), with an optional `:port` that must match the URL's effective port.
 */
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

function env(name: string): string {
	return process.env[name.toLowerCase()] || process.env[name.toUpperCase()] || '';
}

function bypassed(host: string, port: number): boolean {
	const noProxy = (env('npm_config_no_proxy') || env('no_proxy')).toLowerCase();
	if (!noProxy) return false;
	if (noProxy === '*') return true;
	return noProxy.split(/[,\s]/).some((entry) => {
		if (!entry) return false;
		const withPort = /^(.+):(\d+)$/.exec(entry);
		const entryHost = withPort ? withPort[1] : entry;
		if (withPort && Number(withPort[2]) !== port) return false;
		if (!/^[.*]/.test(entryHost)) return host === entryHost;
		return host.endsWith(entryHost.replace(/^\*/, ''));
	});
}

/** The proxy URL for `target`, or undefined to connect directly. */
export function proxyForUrl(target: URL): string | undefined {
	const scheme = target.protocol.replace(/:$/, '');
	// `host` keeps the brackets of an IPv6 address, as proxy-from-env compares it.
	const host = target.host.replace(/:\d*$/, '').toLowerCase();
	const port = Number(target.port) || DEFAULT_PORTS[scheme] || 0;
	if (!host || bypassed(host, port)) return undefined;
	const proxy = env(`npm_config_${scheme}_proxy`) || env(`${scheme}_proxy`) || env('npm_config_proxy') || env('all_proxy');
	if (!proxy) return undefined;
	return proxy.includes('://') ? proxy : `${scheme}://${proxy}`;
}
