/** Sets environment variables for one test and restores them after it (proxy and TLS settings are read per request). */
export function useEnv(): (variables: Record<string, string>) => void {
	const saved = new Map<string, string | undefined>();
	afterEach(() => {
		for (const [name, value] of saved) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
		saved.clear();
	});
	return (variables) => {
		for (const [name, value] of Object.entries(variables)) {
			if (!saved.has(name)) saved.set(name, process.env[name]);
			process.env[name] = value;
		}
	};
}

/** Every proxy variable n8n reads, cleared, so the machine's own settings cannot change a test. */
export const NO_PROXY_SETTINGS = Object.fromEntries(
	[
		'http_proxy',
		'https_proxy',
		'all_proxy',
		'no_proxy',
		'npm_config_http_proxy',
		'npm_config_https_proxy',
		'npm_config_proxy',
		'npm_config_no_proxy',
	].flatMap((name) => [
		[name, ''],
		[name.toUpperCase(), ''],
	]),
);
