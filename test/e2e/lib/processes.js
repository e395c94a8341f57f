'use strict';
/**
 * Child processes for the e2e runner: every command's output goes to its own log file (printed only on
 * failure), every child runs in its own process group so that it and anything it starts can be stopped, and
 * nothing blocks the event loop (the fake Graph API answers n8n from this same process).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const running = new Set();

/**
 * Runs a command to completion. Resolves with { code, signal, stdout, stderr, logFile }; never rejects on exit code.
 * `onOutput(chunk)` sees stderr as it comes (progress of a long install).
 */
function run(command, args, { cwd, env, logFile, timeoutMs = 300_000, onOutput } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		running.add(child);
		const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
		log?.write(`$ ${command} ${args.join(' ')}\n`);
		const stdout = [];
		const stderr = [];
		child.stdout.on('data', (chunk) => {
			stdout.push(chunk);
			log?.write(chunk);
		});
		child.stderr.on('data', (chunk) => {
			stderr.push(chunk);
			log?.write(chunk);
			onOutput?.(chunk.toString('utf8'));
		});
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			stop(child);
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			running.delete(child);
			log?.end();
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			running.delete(child);
			const result = {
				code: timedOut ? null : code,
				signal,
				timedOut,
				stdout: Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
				logFile,
			};
			if (log) log.end(`\n[exit ${timedOut ? `timeout after ${timeoutMs} ms` : (code ?? signal)}]\n`, () => resolve(result));
			else resolve(result);
		});
	});
}

/** Starts a long-running command (n8n start); its output goes to logFile. Returns { child, exited }. */
function startBackground(command, args, { cwd, env, logFile }) {
	const out = fs.openSync(logFile, 'a');
	const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', out, out] });
	fs.closeSync(out);
	running.add(child);
	const exited = new Promise((resolve) =>
		child.on('exit', (code, signal) => {
			running.delete(child);
			resolve({ code, signal });
		}),
	);
	return { child, exited };
}

/** SIGTERM to the child's process group, SIGKILL after graceMs if it is still there. */
function stop(child, graceMs = 10_000) {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const killGroup = (signal) => {
			try {
				process.kill(-child.pid, signal);
			} catch {
				/* already gone */
			}
		};
		const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
		child.once('exit', () => {
			clearTimeout(timer);
			killGroup('SIGKILL'); // leftovers of the group (a task runner, an npm grandchild)
			resolve();
		});
		killGroup('SIGTERM');
	});
}

/** Synchronous last resort on process exit: kill every process group still running. */
function killAllSync() {
	for (const child of running) {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
	running.clear();
}

async function stopAll() {
	await Promise.all([...running].map((child) => stop(child, 5_000)));
}

/** A TCP port that was free a moment ago on loopback. */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** `port` when it is free on loopback (an error naming `what` uses it otherwise), or any free port when none is asked. */
function freePortOr(port, what = 'a service') {
	if (!port) return freePort();
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', () =>
			reject(new Error(`port ${port} for ${what} is already in use on 127.0.0.1: stop what uses it (an earlier npm start?) and try again`)),
		);
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
	});
}

/** The last lines of a file, for failure reports: n8n's JSON log records as "level message", long lines cut. */
function tail(file, lines = 40, width = 400) {
	try {
		const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
		return text
			.slice(-lines)
			.map((line) => {
				try {
					const record = JSON.parse(line);
					if (record && typeof record.level === 'string' && 'message' in record)
						line = `${record.level}: ${typeof record.message === 'string' ? record.message : JSON.stringify(record.message)}`;
				} catch {
					/* plain text */
				}
				return line.length > width ? `${line.slice(0, width)}… (${line.length - width} more characters)` : line;
			})
			.join('\n');
	} catch (error) {
		return `(cannot read ${file}: ${error.message})`;
	}
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { run, startBackground, stop, stopAll, killAllSync, freePort, freePortOr, tail, sleep };
