import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startRedis } from '../../../test/harness/redis';
import { waitFor } from './wait';

export interface StoppableRedis {
	url: string;
	/** Kills redis-server at once (synchronous, usable inside a fault hook); acknowledged writes are on disk. */
	kill(): void;
	/** Starts it again on the same port with the same data (nothing to do while it runs). */
	start(): Promise<void>;
	stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
	const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
	client.on('error', () => undefined);
	try {
		await client.connect();
		return (await client.ping()) === 'PONG';
	} catch {
		return false;
	} finally {
		client.disconnect();
	}
}

/**
 * A private redis-server that an outage test can stop and start again on the same port without losing data
 * (append-only file, fsync on every write, as a production Redis with `appendfsync always` keeps it).
 */
export async function startStoppableRedis(): Promise<StoppableRedis> {
	// The harness finds a free port; this server then takes that port over with persistence on.
	const probe = await startRedis();
	const { port } = new URL(probe.url);
	await probe.stop();
	const dir = mkdtempSync(join(tmpdir(), 'lite-redis-'));
	let child: ChildProcess | undefined;
	const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
	const start = async () => {
		if (running()) return;
		const args = ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
		child = spawn(process.env.REDIS_SERVER ?? '/usr/bin/redis-server', args, { stdio: 'ignore' });
		await waitFor(() => answers(probe.url), 10_000, 'redis-server');
	};
	const kill = () => {
		child?.kill('SIGKILL');
	};
	await start();
	return {
		url: probe.url,
		kill,
		start,
		stop: () =>
			new Promise<void>((resolve) => {
				if (!running()) return resolve();
				child!.once('exit', () => resolve());
				child!.kill('SIGTERM');
			}),
	};
}
