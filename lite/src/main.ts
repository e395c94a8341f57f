import { existsSync } from 'node:fs';
import { loadConfig, secretsOf } from './config';
import { Gateway } from './gateway';
import { causeOf, type Logger } from '../../contract/log';
import { createLogger } from './log';

/** Until the settings are read, nothing secret is known to mask, and nothing secret has been read. */
let log: Logger = createLogger();

async function main(): Promise<void> {
	const config = loadConfig();
	log = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
	if (config.driver === 'wwebjs' && !existsSync(config.chromiumPath)) {
		throw new Error(`DRIVER=wwebjs needs Chromium, but CHROMIUM_PATH=${config.chromiumPath} does not exist`);
	}
	const gateway = new Gateway(config, { log });
	await gateway.start();
	const shutdown = (signal: string) => {
		log.info('Shutting down', { signal });
		gateway.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				log.error('Shutdown failed', causeOf(error));
				process.exit(1);
			},
		);
	};
	process.once('SIGTERM', () => shutdown('SIGTERM'));
	process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
	log.error('The gateway did not start', causeOf(error));
	process.exit(1);
});
