import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import type { CampaignEvent } from './campaign/events';
import { MemoryCampaignStore } from './campaign/memoryStore';
import { OutcomeJournal } from './campaign/outcomeJournal';
import { campaignBase, legacyCampaignBase } from './campaign/keys';
import { RedisCampaignStore } from './campaign/redisStore';
import type { CampaignStore } from './campaign/store';
import { CampaignWorker } from './campaign/worker';
import type { Config } from './config';
import { NoDriver } from './drivers/none';
import { SandboxDriver } from './drivers/sandbox';
import { Session } from './drivers/session';
import type { Driver, DriverSink } from './drivers/types';
import { WwebjsDriver, type WwebjsLibrary } from './drivers/wwebjs';
import { armFault } from './faults';
import { apiKeyCheck } from './http/auth';
import { Router } from './http/router';
import { causeOf, type Logger } from '../../contract/log';
import { Metrics, renderMetrics } from './metrics';
import type { Resolve } from './outbound/fetch';
import { mediaFetcher } from './outbound/media';
import { webhookPoster } from './outbound/webhook';
import { OperatorPages } from './pages/operatorPages';
import { OptOutGate } from './optOuts';
import { QuotaGate } from './quota';
import { relayMetrics } from './relay/metrics';
import { setUpRelay, type RelayParts } from './relay/setup';
import { campaignRoutes } from './routes/campaigns';
import { messageRoutes } from './routes/messages';
import { sandboxRoutes } from './routes/sandbox';
import { sessionRoutes } from './routes/session';
import { webhookRoutes } from './routes/webhooks';
import { Sender } from './send/sender';
import type { Kv } from './store/kv';
import { MemoryKv } from './store/memoryKv';
import { connectRedis } from './store/redis';
import { RedisKv } from './store/redisKv';
import { WebhookDispatcher } from './webhooks/dispatcher';
import { Outbox } from './webhooks/outbox';
import { WebhookRegistry } from './webhooks/registry';

export interface GatewayDeps {
	log: Logger;
	/** whatsapp-web.js, or a stand-in; loaded lazily so the sandbox never loads puppeteer. */
	wwebjs?: () => WwebjsLibrary;
	/** First wait before the wwebjs driver reconnects. */
	reconnectDelayMs?: number;
	/** DNS for media and webhook fetches (the system's by default; tests stand in one that answers chosen addresses). */
	resolve?: Resolve;
}

/** Base64 grows data by 4/3; the rest of a JSON body is small next to it. */
const bodyLimit = (maxInlineMediaBytes: number) => Math.ceil(maxInlineMediaBytes * 1.34) + 64 * 1024;

/** The whole gateway: state, driver, campaign worker, webhook dispatcher and the HTTP API, wired from a Config. */
export class Gateway {
	readonly session = new Session();
	readonly metrics = new Metrics();
	readonly driver: Driver;
	readonly server: Server;
	private readonly redis?: Redis | Cluster;
	private readonly kv: Kv;
	private readonly dispatcher: WebhookDispatcher;
	private readonly worker: CampaignWorker;
	private readonly campaigns: CampaignStore;
	private readonly quota: QuotaGate;
	/** The Cloud webhook relay, when RELAY_APPS sets it up. */
	readonly relay?: RelayParts;

	constructor(
		private readonly config: Config,
		private readonly deps: GatewayDeps,
	) {
		const { log } = deps;
		armFault(config.fault);
		mkdirSync(config.stateDir, { recursive: true });
		const base = `${config.keyPrefix}lite:${config.suitId}:`;
		const storeOptions = {
			minSendGapMs: config.minSendGapMs,
			delayUnitMs: config.delayUnitMs,
			retentionSeconds: config.campaignRetentionSeconds,
			maxActiveCampaigns: config.maxActiveCampaigns,
		};
		if (config.redisUrl || config.redisClusterNodes?.length) {
			this.redis = connectRedis({ url: config.redisUrl, clusterNodes: config.redisClusterNodes }, log);
			this.kv = new RedisKv(this.redis);
			this.campaigns = new RedisCampaignStore(
				this.redis,
				campaignBase(config.keyPrefix, config.suitId),
				storeOptions,
				legacyCampaignBase(config.keyPrefix, config.suitId),
			);
		} else {
			this.kv = new MemoryKv();
			this.campaigns = new MemoryCampaignStore(storeOptions, config.memoryStoreMaxBytes);
		}
		const registry = new WebhookRegistry(this.kv, `${base}webhooks`);
		const outboxFull = `WEBHOOK_OUTBOX_MAX=${config.webhookOutboxMax} or WEBHOOK_OUTBOX_MAX_BYTES=${config.webhookOutboxMaxBytes}`;
		const outbox = new Outbox(
			join(config.stateDir, 'webhook-outbox.jsonl'),
			config.webhookOutboxMax,
			(id) => {
				this.dispatcher.forget(id);
				this.metrics.webhookFailures++;
				log.error(`Webhook outbox full (${outboxFull}): dropped the oldest event ${id}`);
			},
			undefined,
			config.webhookOutboxMaxBytes,
		);
		const post = webhookPoster(config, deps.resolve);
		this.dispatcher = new WebhookDispatcher(registry, outbox, {
			suitId: config.suitId,
			account: () => this.session.account,
			secret: config.webhookSecret,
			maxAttempts: config.webhookMaxAttempts,
			retryBaseMs: config.webhookRetryBaseMs,
			post,
			maxConcurrent: config.webhookMaxConcurrent,
			log,
			metrics: this.metrics,
		});
		const sink: DriverSink = {
			session: this.session,
			message: (data) => this.dispatcher.emit('message', data),
			ack: (data) => this.dispatcher.emit('message_ack', data),
		};
		this.driver = this.createDriver(sink);
		this.quota = new QuotaGate(this.kv, config.suitId, config.dailyQuota, config.keyPrefix, log);
		const optOuts = new OptOutGate(this.kv, config.suitId, config.keyPrefix);
		const sender = new Sender({
			driver: this.driver,
			session: this.session,
			quota: this.quota,
			pace: this.campaigns,
			maxSendWaitMs: config.maxSendWaitMs,
			metrics: this.metrics,
		});
		const report = (event: CampaignEvent, id?: string) => this.dispatcher.emit('campaign', event, id);
		this.worker = new CampaignWorker({
			store: this.campaigns,
			sender,
			session: this.session,
			report,
			journal: new OutcomeJournal(join(config.stateDir, 'campaign-outcome.json')),
			optOuts,
			messageLimits: config,
			log,
		});
		this.session.onChange((state, reason) => {
			log.info(`WhatsApp session: ${state}${reason ? ` (${reason})` : ''}`);
			this.dispatcher.emit('session', { state, ...(reason && { reason }) });
			if (state === 'ready') this.worker.wake();
		});

		const router = new Router({ authorized: apiKeyCheck(config.apiKey), maxBodyBytes: bodyLimit(config.maxInlineMediaBytes), log });
		router.add('GET', '/healthz', async () => ({ status: 200, body: { ok: true, session: this.session.status } }), { open: true });
		router.add('GET', '/metrics', async () => ({ status: 200, text: await this.renderMetrics() }));
		sessionRoutes(router, this.session);
		messageRoutes(router, { sender, driver: this.driver, session: this.session, limits: config, optOuts });
		webhookRoutes(router, registry, config);
		this.relay = setUpRelay(config, { kv: this.kv, router, post, log });
		if (this.driver instanceof SandboxDriver) sandboxRoutes(router, this.driver);
		campaignRoutes(router, {
			suitId: config.suitId,
			limits: config,
			store: this.campaigns,
			quota: this.quota,
			optOuts,
			report,
			wake: () => this.worker.wake(),
		});
		const sandbox = this.driver instanceof SandboxDriver ? this.driver : undefined;
		const pages = new OperatorPages({
			authorized: apiKeyCheck(config.apiKey),
			open: !config.apiKey,
			state: {
				session: this.session,
				suitId: config.suitId,
				sandbox: sandbox !== undefined,
				quota: async () => ({ used: await this.quota.used(), limit: this.quota.limit }),
				queuedCampaignMessages: () => this.campaigns.depth(),
				relay: this.relay && (() => this.relay!.relay.status()),
			},
			sandboxScan: sandbox && (() => sandbox.scan()),
		});
		this.server = createServer(
			// Slow bodies are cut off (408) within the timeout, checked every second (Node's default is 30 s).
			{ requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: 1_000 },
			(request, response) =>
				this.relay?.callback.serve(request, response) || pages.serve(request, response) || router.listener(request, response),
		);
		// Not among @types/node's ServerOptions here; the same setting on the server (slow headers: 408).
		this.server.headersTimeout = config.headersTimeoutMs;
	}

	private createDriver(sink: DriverSink): Driver {
		const { config, deps } = this;
		const fetchMedia = mediaFetcher(config, deps.resolve);
		if (config.driver === 'none') return new NoDriver(sink);
		if (config.driver === 'sandbox') {
			return new SandboxDriver(sink, {
				ackDelayMs: config.sandboxAckDelayMs,
				loginDelayMs: config.sandboxLoginDelayMs,
				fetchMedia,
				logFile: join(config.stateDir, 'sandbox-sent.jsonl'),
			});
		}
		// Loaded only for the real driver: the sandbox runs without whatsapp-web.js and its browser.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const library = (deps.wwebjs ?? (() => require('whatsapp-web.js') as WwebjsLibrary))();
		return new WwebjsDriver(sink, {
			library,
			suitId: config.suitId,
			sessionDir: config.sessionDir,
			chromiumPath: config.chromiumPath,
			maxInlineMediaBytes: config.maxInlineMediaBytes,
			fetchMedia,
			reconnectDelayMs: deps.reconnectDelayMs ?? 5_000,
			log: deps.log,
		});
	}

	private async renderMetrics(): Promise<string> {
		const gauges = {
			quotaUsed: await this.quota.used(),
			quotaLimit: this.quota.limit,
			queueDepth: await this.campaigns.depth(),
			sessionStatus: this.session.status,
		};
		return renderMetrics(this.metrics, gauges, this.config.suitId, this.relay ? relayMetrics(this.relay.relay.status()) : []);
	}

	/** Starts listening (port 0: any free port) and returns the port. */
	async start(port = this.config.port): Promise<number> {
		const { log } = this.deps;
		const { config } = this;
		if (this.redis) {
			// Not fatal: routes that need Redis answer 503 and campaigns wait until it answers; events are kept.
			await this.redis
				.ping()
				.catch((error: unknown) =>
					log.warn('Redis does not answer yet (check REDIS_URL): the gateway starts anyway and waits for it', causeOf(error)),
				);
		} else
			log.warn(
				'No REDIS_URL: quota, campaigns and webhooks live in this process only (not durable, not shared); set REDIS_URL for production',
			);
		if (!config.apiKey) log.warn('No API_KEY: the sandbox API is open to anyone who can reach it');
		if (!config.webhookSecret)
			log.warn('No WEBHOOK_SECRET: webhook events are sent unsigned and n8n triggers that check signatures will refuse them');
		if (config.driver === 'sandbox') log.info('DRIVER=sandbox: no real WhatsApp messages are sent (DRIVER=wwebjs for WhatsApp Web)');
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, () => resolve());
		});
		this.dispatcher.start();
		this.relay?.relay.start();
		await this.driver.start();
		this.worker.start();
		const listening = (this.server.address() as AddressInfo).port;
		log.info(`WhatsApp Lite gateway for suit ${config.suitId} listening on port ${listening} (daily quota ${config.dailyQuota})`);
		return listening;
	}

	/** Stops taking requests, lets a campaign send in progress finish, then closes everything. */
	async stop(): Promise<void> {
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		await this.worker.stop();
		await this.driver.stop();
		this.dispatcher.stop();
		this.relay?.relay.stop();
		await closed;
		await this.kv.close();
	}
}
