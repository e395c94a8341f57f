import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { freePort, untilAnswers } from './redis';

const run = promisify(execFile);
const REDIS_CLI = process.env.REDIS_CLI ?? '/usr/bin/redis-cli';

/** A Redis Cluster for tests: its nodes as `host:port`. */
export interface TestRedisCluster {
	nodes: string[];
	/** A client of the whole Cluster (ioredis `Cluster`), closed by `stop()`. */
	connect(): Cluster;
	stop(): Promise<void>;
}

async function clusterOk(port: number): Promise<boolean> {
	const { stdout } = await run(REDIS_CLI, ['-p', String(port), 'cluster', 'info']);
	return stdout.includes('cluster_state:ok');
}

/** Until every node says the Cluster is ok (all slots served): nodes learn of each other by gossip after `create`. */
async function untilClusterOk(ports: number[]): Promise<void> {
	for (let attempt = 0; attempt < 300; attempt++) {
		if ((await Promise.all(ports.map(clusterOk))).every(Boolean)) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error('the Redis Cluster did not reach cluster_state:ok');
}

/**
 * REDIS_CLUSTER_NODES when set (comma-separated `host:port`), else three private `redis-server --cluster-enabled yes`
 * on free ports, their cluster files in a fresh temporary directory, joined by `redis-cli --cluster create` (no
 * replicas, the slots split in three), with no disk; `stop()` ends them and removes the directory.
 */
export async function startRedisCluster(): Promise<TestRedisCluster> {
	const clients: Cluster[] = [];
	const connectTo = (nodes: string[]) => () => {
		const client = new Cluster(nodes.map((node) => ({ host: node.split(':')[0], port: Number(node.split(':')[1]) })));
		clients.push(client);
		return client;
	};
	const closeClients = () => Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
	const external = process.env.REDIS_CLUSTER_NODES?.split(',').filter(Boolean);
	if (external?.length) return { nodes: external, connect: connectTo(external), stop: async () => void (await closeClients()) };

	const dir = mkdtempSync(join(tmpdir(), 'wa-redis-cluster-'));
	const ports = [await freePort(), await freePort(), await freePort()];
	const children: ChildProcess[] = ports.map((port) =>
		spawn(
			process.env.REDIS_SERVER ?? '/usr/bin/redis-server',
			[
				...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
				...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000'],
			],
			{ stdio: 'ignore' },
		),
	);
	const stopServers = () =>
		Promise.all(
			children.map(
				(child) =>
					new Promise<void>((resolve) => {
						if (child.exitCode !== null) return resolve();
						child.once('exit', () => resolve());
						child.kill('SIGTERM');
					}),
			),
		);
	const nodes = ports.map((port) => `127.0.0.1:${port}`);
	try {
		await Promise.all(ports.map((port, index) => untilAnswers(port, children[index])));
		await run(REDIS_CLI, ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
		await untilClusterOk(ports);
	} catch (error) {
		await stopServers();
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
	return {
		nodes,
		connect: connectTo(nodes),
		stop: async () => {
			await closeClients();
			await stopServers();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** A key prefix no other test run shares, holding a hash tag as the nodes' Key Prefix must on a Cluster. */
export function uniqueClusterPrefix(): string {
	return `{test:${randomUUID()}}:`;
}

/** The nodes' Redis credential settings for this Cluster: its first node, and a fresh prefix with a hash tag. */
export function clusterConnection(cluster: TestRedisCluster): { host: string; port: number; cluster: true; keyPrefix: string } {
	const [host, port] = cluster.nodes[0].split(':');
	return { host, port: Number(port), cluster: true, keyPrefix: uniqueClusterPrefix() };
}
