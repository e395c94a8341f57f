'use strict';
/**
 * A private redis-server for an e2e case: loopback only, a free port, no disk. REDIS_SERVER names the binary
 * (default /usr/bin/redis-server).
 */
const fs = require('node:fs');
const net = require('node:net');
const { startBackground, freePort, sleep } = require('./processes');

const redisServerBinary = () => process.env.REDIS_SERVER || '/usr/bin/redis-server';

/** Where redis-server is missing: a clear message with what to install; undefined when it is there. */
function missingRedisServer() {
	const binary = redisServerBinary();
	return fs.existsSync(binary) ? undefined : `redis-server not found at ${binary} (apt-get install redis-server, or set REDIS_SERVER)`;
}

/** One RESP command on a raw socket; resolves with the reply's first line. */
function redisCommand(port, ...words) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1', () =>
			socket.write(`*${words.length}\r\n${words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join('')}`),
		);
		let reply = '';
		socket.setTimeout(2000, () => socket.destroy());
		socket.on('data', (data) => {
			reply += data.toString();
			const lines = reply.split('\r\n');
			if (lines[0].startsWith('$') && lines[0] !== '$-1' && lines.length < 3) return;
			socket.destroy();
			resolve(lines[0].startsWith('$') && lines[0] !== '$-1' ? lines[1] : lines[0]);
		});
		socket.on('error', () => resolve(undefined));
		socket.on('close', () => resolve(reply || undefined));
	});
}

/**
 * Starts redis-server and waits until it answers PING. Resolves with { port, process } (a startBackground result,
 * stopped by the caller, or by the runner's stopAll); throws an Error naming the log file when it does not answer.
 */
async function startRedisServer({ cwd, logFile, timeoutMs = 10_000 }) {
	const port = await freePort();
	const server = startBackground(redisServerBinary(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
		cwd,
		logFile,
	});
	const deadline = Date.now() + timeoutMs;
	while ((await redisCommand(port, 'PING')) !== '+PONG') {
		if (Date.now() > deadline)
			throw new Error(`the private redis-server did not answer PING within ${timeoutMs / 1000} s (log: ${logFile})`);
		await sleep(200);
	}
	return { port, process: server };
}

module.exports = { missingRedisServer, redisCommand, startRedisServer };
