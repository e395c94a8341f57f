import { existsSync } from 'node:fs';
import { loadConfig } from './config';
import { Gateway } from './gateway';
import { consoleLogger as log, errorText } from './log';

async function main(): Promise<void> {
	const config = loadConfig();
	if (config.driver === 'wwebjs' && !existsSync(config.chromiumPath)) {
		throw new Error(`DRIVER=wwebjs needs Chromium, but CHROMIUM_PATH=${config.chromiumPath} does not exist`);
	}
	const gateway = new Gateway(config, { log });
	await gateway.start();
	const shutdown = (signal: string) => {
		log.info(`${signal}: shutting down`);
		gateway.stop().then(
			() => process.exit(0),
			(error) => {
				log.error(`Shutdown failed: ${errorText(error)}`);
				process.exit(1);
			},
		);
	};
	process.once('SIGTERM', () => shutdown('SIGTERM'));
	process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
	log.error(`The gateway did not start: ${errorText(error)}`);
	process.exit(1);
});
