import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
	url: string;
	stop(): Promise<void>;
}

/** A private redis-server that keeps its data on disk (append-only file), so it can be stopped and started again. */
export interface RestartableRedis extends TestRedis {
	/** Starts it again on the same port, with the data it had. */
	start(): Promise<void>;
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
		server.on('error', reject);
	});
}

/** True once something on the port answers PING with PONG (a raw socket: no client left with timers). */
function answersPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
		socket.setTimeout(500, () => socket.destroy());
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
		socket.once('close', () => resolve(false));
	});
}

export async function untilAnswers(port: number, child: ChildProcess): Promise<void> {
	for (let attempt = 0; attempt < 100; attempt++) {
		if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
		if (await answersPing(port)) return;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error('redis-server did not answer');
}

/**
 * REDIS_URL when set, else a private redis-server on a free port (or `port`, to start one again where a stopped
 * one was), with no disk, stopped by `stop()`.
 */
export async function startRedis(port?: number): Promise<TestRedis> {
	if (process.env.REDIS_URL && port === undefined) return { url: process.env.REDIS_URL, stop: async () => undefined };
	port ??= await freePort();
	const child = spawn(
		process.env.REDIS_SERVER ?? '/usr/bin/redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: 'ignore' },
	);
	const url = `redis://127.0.0.1:${port}`;
	await untilAnswers(port, child);
	return {
		url,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}

/** A private redis-server with its append-only file in a fresh temporary directory, for outage tests. */
export async function startRestartableRedis(): Promise<RestartableRedis> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'wa-redis-'));
	let child: ChildProcess | undefined;
	const start = async () => {
		if (child && child.exitCode === null) return;
		child = spawn(
			process.env.REDIS_SERVER ?? '/usr/bin/redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
			{ stdio: 'ignore' },
		);
		await untilAnswers(port, child);
	};
	const stop = () =>
		new Promise<void>((resolve) => {
			if (!child || child.exitCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM');
		});
	await start();
	return {
		url: `redis://127.0.0.1:${port}`,
		start,
		stop: async () => {
			await stop();
		},
	};
}

/** A key prefix no other test run shares, so tests can use any Redis. */
export function uniquePrefix(): string {
	return `test:${randomUUID()}:`;
}
