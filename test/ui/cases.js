'use strict';
/** The browser cases, in order (the QR case first: it makes the Lite sandbox's session ready for the sends after it). */
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const net = require('node:net');
const path = require('node:path');
const { ROOT, PKG } = require('../e2e/lib/n8nHost');
const { sleep } = require('../e2e/lib/processes');
const { CREDENTIAL_LABELS, MESSAGE_ID_PLACEHOLDERS } = require('./sendPanel');

/** Polls `check` until it returns something truthy; fails with `what` after the deadline (no fixed sleeps). */
async function eventually(what, check, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		last = await check();
		if (last) return last;
		await sleep(300);
	}
	throw new assert.AssertionError({ message: `${what} within ${timeoutMs / 1000} s` });
}

module.exports = function cases({ stack, editor, page, browser, shot, SEND_TYPE, SEND_PANEL, watchForPackageErrors, packageErrors }) {
	const n8nUrl = stack.n8n.url;
	const lite = (method, route, body) =>
		fetch(`${stack.lite.url}${route}`, {
			method,
			headers: { appApiKey: stack.lite.apiKey, 'content-type': 'application/json' },
			body: body && JSON.stringify(body),
		}).then(async (response) => {
			const text = await response.text();
			assert.ok(response.ok, `Lite ${method} ${route} answered ${response.status}: ${text.slice(0, 200)}`);
			return text ? JSON.parse(text) : undefined;
		});
	const credentialsFor = (backend) =>
		backend === 'cloud'
			? { whatsAppCloudApi: { id: stack.credentialIds.cloud, name: 'Cloud sandbox' } }
			: { whatsAppLiteApi: { id: stack.credentialIds.lite, name: 'Lite sandbox' } };
	/** A WhatsApp Send node on `backend` with its sandbox credential. */
	const sendNode = (id, backend, parameters) => ({
		id,
		name: 'WhatsApp Send',
		type: SEND_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { backend, ...parameters },
		credentials: credentialsFor(backend),
	});

	return [
		[
			'Lite gateway: a one-time link opens the QR page, which shows the QR image and, scanned, turns to "Connected as +…"',
			async () => {
				const qrContext = await browser.newContext(); // a browser without n8n's or the gateway's cookies
				const qrPage = await qrContext.newPage();
				watchForPackageErrors(qrPage, packageErrors);
				try {
					await qrPage.goto(await stack.lite.loginLink());
					assert.equal(
						new URL(qrPage.url()).pathname + new URL(qrPage.url()).search,
						'/whatsapp-login',
						'the one-time token is gone from the address bar',
					);
					await qrPage.locator('#qr').waitFor({ state: 'visible' });
					await qrPage.waitForFunction(() => document.getElementById('qr').naturalWidth > 100);
					assert.match(await qrPage.locator('#state').textContent(), /Waiting for the QR code to be scanned/);
					await shot('01a-qr-page-waiting', qrPage);
					await qrPage.getByRole('button', { name: 'Scan with the sandbox phone' }).click();
					await qrPage.locator('#state', { hasText: 'Connected as +15550100001' }).waitFor();
					assert.equal(await qrPage.locator('#qr-box').isHidden(), true, 'the QR code is hidden once connected');
					await shot('01b-qr-page-connected', qrPage);
					await qrPage.goto(`${stack.lite.url}/status`);
					await qrPage.locator('#quota', { hasText: / of \d+$/ }).waitFor();
					await shot('01c-status-page', qrPage);
					return `quota ${await qrPage.locator('#quota').textContent()}`;
				} finally {
					await qrContext.close();
				}
			},
		],
		[
			"node creator: typing \"WhatsApp\" finds the package's nodes by names and an icon unlike n8n's own WhatsApp nodes; the trigger's events carry no backend tags",
			async () => {
				await page.goto(`${n8nUrl}/workflow/new`);
				await page.getByTestId('canvas-plus-button').click();
				await page.getByTestId('node-creator-search-bar').fill('WhatsApp');
				const ours = page.getByTestId('item-iterator-item').filter({ has: page.locator(`img[src*="/icons/${PKG.name}/"]`) });
				await eventually("the package's nodes in the node creator", async () => (await ours.count()) === 3);
				const names = (await ours.getByTestId('node-creator-item-name').allTextContents()).map((name) => name.trim()).sort();
				// n8n lists a trigger under its display name without "Trigger".
				assert.deepEqual(names, ['WhatsApp Automator', 'WhatsApp Automator Send', 'WhatsApp Automator Template Send']);
				const icons = await ours
					.locator('img')
					.evaluateAll((images) =>
						images
							.filter((image) => image.checkVisibility())
							.map((image) => ({ src: image.getAttribute('src'), width: image.naturalWidth })),
					);
				assert.ok(
					icons.every((icon) => /\/dist\/icons\/whatsapp-automator(\.dark)?\.svg/.test(icon.src) && icon.width > 0),
					`every icon is the package's own and loaded: ${JSON.stringify(icons)}`,
				);
				const builtIn = page.getByTestId('item-iterator-item').filter({ hasNot: page.locator(`img[src*="/icons/${PKG.name}/"]`) });
				const builtInNames = (await builtIn.getByTestId('node-creator-item-name').allTextContents()).map((name) => name.trim());
				assert.ok(
					names.every((name) => !builtInNames.includes(name)),
					`no name shared with n8n's own nodes (${JSON.stringify(builtInNames)})`,
				);
				await shot('02-node-creator-whatsapp');
				await ours
					.getByTestId('node-creator-item-name')
					.filter({ hasText: /^\s*WhatsApp Automator\s*$/ })
					.first()
					.click();
				await page
					.getByText(/^On message received$/i)
					.filter({ visible: true })
					.first()
					.waitFor();
				const events = (await page.getByText(/^On /).filter({ visible: true }).allTextContents()).map((text) => text.trim());
				assert.ok(
					events.every((event) => !/cloud api|lite$/i.test(event)),
					`trigger events without backend tags: ${JSON.stringify(events)}`,
				);
				// Every backend's events, the Lite container's too (n8n lists the first "Trigger On" property's choices).
				for (const event of [
					'On message received',
					'On template status',
					'On session change',
					'On campaign progress',
					'On campaign finished',
				])
					assert.ok(
						events.some((shown) => shown.toLowerCase() === event.toLowerCase()),
						`"${event}" among ${JSON.stringify(events)}`,
					);
				await shot('02b-node-creator-trigger-events');

				// WhatsApp Automator Send's page: n8n lists a trigger there only for a node type named like the trigger
				// (`<name>Trigger`), which renaming would break saved workflows for; the description names the trigger.
				await page.goto(`${n8nUrl}/workflow/new`);
				await page.getByTestId('canvas-plus-button').click();
				await page.getByTestId('node-creator-search-bar').fill('WhatsApp');
				await page
					.getByTestId('node-creator-item-name')
					.filter({ hasText: /^\s*WhatsApp Automator Send\s*$/ })
					.first()
					.click();
				const creator = page.getByTestId('node-creator');
				await creator.getByText('add the WhatsApp Automator trigger').first().waitFor();
				const callout = (await creator.getByTestId('actions-panel-no-triggers-callout').innerText()).replace(/\s+/g, ' ');
				assert.match(callout, /No WhatsApp Automator Send Triggers available/, "n8n's own callout, as the user sees it");
				const actions = (await creator.getByTestId('node-creator-item-name').allTextContents()).map((name) => name.trim());
				assert.ok(actions.includes('Send a text message'), `the Send actions: ${JSON.stringify(actions)}`);
				assert.ok(!/custom api call/i.test(await creator.innerText()), `no Custom API Call among ${JSON.stringify(actions)}`);
				await shot('02c-node-creator-send-page');
				await page.keyboard.press('Escape');
				return `${names.join(', ')} beside n8n's ${builtInNames.join(', ')}; trigger events: ${events.join(', ')}; Send's page: "${callout.trim()}" under a description naming the trigger`;
			},
		],
		[
			`WhatsApp Send panel: ${SEND_PANEL.length} operation/parameter rows × 2 backends show exactly their fields, the Lite daily limit on Lite, Media ID on Cloud only`,
			async () => {
				const problems = [];
				const mediaSources = {};
				for (const row of SEND_PANEL) {
					for (const backend of ['cloud', 'lite']) {
						const node = sendNode('send-node', backend, { operation: row.operation, ...row.parameters });
						const workflow = await editor.createWorkflow(`panel ${backend} ${row.operation}`, [node]);
						try {
							await editor.openNode(workflow.id, 'WhatsApp Send');
							const labels = await editor.visibleParameterLabels();
							const expected = row.labels[backend];
							const where = `${backend} ${row.operation} ${JSON.stringify(row.parameters ?? {})}`;
							if (JSON.stringify(labels) !== JSON.stringify(expected))
								problems.push(`${where}: shows ${JSON.stringify(labels)}, expected ${JSON.stringify(expected)}`);
							const credentialLabels = await editor.credentialLabels();
							if (JSON.stringify(credentialLabels) !== JSON.stringify(CREDENTIAL_LABELS[backend]))
								problems.push(`${where}: credential fields ${JSON.stringify(credentialLabels)}`);
							const liteNotice = await editor.panelShows(
								'WhatsApp Web has no buttons, lists or link buttons',
								row.liteNotice && backend === 'lite' ? 10_000 : 500,
							);
							if (liteNotice !== Boolean(row.liteNotice && backend === 'lite'))
								problems.push(`${where}: the Lite interactive notice is ${liteNotice ? 'shown' : 'missing'}`);
							// The container's own daily limit, where a Lite send is set up (not on Mark as Read, which sends nothing).
							const limitExpected = backend === 'lite' && row.operation !== 'markAsRead';
							const limitShown = await editor.panelShows(
								'The Lite container sends at most 300 messages a day',
								limitExpected ? 10_000 : 500,
							);
							if (limitShown !== limitExpected)
								problems.push(`${where}: the Lite daily limit notice is ${limitShown ? 'shown' : 'missing'}`);
							if (row.operation === 'sendMedia' && !row.parameters) mediaSources[backend] = await editor.parameterOptions('mediaSource');
							if (row.operation === 'markAsRead') {
								const placeholder = await page
									.getByTestId('parameter-input-messageId')
									.locator('input, textarea')
									.first()
									.getAttribute('placeholder');
								if (!MESSAGE_ID_PLACEHOLDERS[backend].test(placeholder ?? ''))
									problems.push(`${where}: Message ID placeholder "${placeholder}"`);
							}
							if (!row.parameters) await shot(`03-send-${backend}-${row.operation}`);
						} finally {
							await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
						}
					}
				}
				// Media IDs exist only at Meta; only the Cloud API uploads a file first.
				const names = (options) => options.map((option) => option.name);
				if (JSON.stringify(names(mediaSources.cloud)) !== JSON.stringify(['Link', 'Media ID', 'File From an Earlier Node']))
					problems.push(`cloud Media Source: ${JSON.stringify(mediaSources.cloud)}`);
				if (JSON.stringify(names(mediaSources.lite)) !== JSON.stringify(['Link', 'File From an Earlier Node']))
					problems.push(`lite Media Source: ${JSON.stringify(mediaSources.lite)}`);
				if (mediaSources.lite.some((option) => /upload|cloud api/i.test(option.description)))
					problems.push(`lite Media Source says "uploaded": ${JSON.stringify(mediaSources.lite)}`);
				assert.ok(problems.length === 0, `\n  - ${problems.join('\n  - ')}`);
				return `${SEND_PANEL.length * 2} panels`;
			},
		],
		[
			"Lite delivery settings: delays read 3 and 5 (not 3.000), Daily Quota's 0 says it sets no limit, beside the container's own daily limit",
			async () => {
				const node = sendNode('delivery-node', 'lite', {
					operation: 'sendText',
					delivery: { dailyQuota: 0, minDelayMinutes: 3, maxDelayMinutes: 5 },
				});
				const workflow = await editor.createWorkflow('delivery lite', [node]);
				try {
					await editor.openNode(workflow.id, 'WhatsApp Send');
					const value = (name) => page.getByTestId(`parameter-input-${name}`).locator('input').first().inputValue();
					const shown = {
						delays: [await value('minDelayMinutes'), await value('maxDelayMinutes')],
						quotaHint: await editor.panelShows('0 means no limit set here'),
						liteLimit: await editor.panelShows('The Lite container sends at most 300 messages a day'),
					};
					await page.getByTestId('parameter-input-dailyQuota').scrollIntoViewIfNeeded();
					await shot('03c-send-lite-delivery');
					assert.deepEqual(shown, { delays: ['3', '5'], quotaHint: true, liteLimit: true });
					return `Lite delays ${shown.delays.join(' and ')} minutes`;
				} finally {
					await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
				}
			},
		],
		[
			'Resource and Operation lists: no "Custom API Call" (n8n adds it for credentials with an authenticate block); every operation says what it does, and the same about Lite as the panel; Pause, Resume and Cancel only on Lite',
			async () => {
				const lists = {};
				const nodes = [
					['message', 'WhatsApp Send', SEND_TYPE, { resource: 'message' }],
					['campaign', 'WhatsApp Send', SEND_TYPE, { resource: 'campaign' }],
					['campaignLite', 'WhatsApp Send', SEND_TYPE, { backend: 'lite', resource: 'campaign' }],
					['optOut', 'WhatsApp Send', SEND_TYPE, { resource: 'optOut' }],
					['template', 'WhatsApp Template Send', `${PKG.name}.whatsAppTemplateSend`, { templateSource: 'text' }],
				];
				let campaignId;
				for (const [key, name, type, parameters] of nodes) {
					const backend = parameters.backend ?? 'cloud';
					const node = { id: 'list-node', name, type, typeVersion: 1, position: [0, 0], parameters: { backend, ...parameters } };
					const workflow = await editor.createWorkflow(`lists ${name} ${JSON.stringify(parameters)}`, [
						{ ...node, credentials: credentialsFor(backend) },
					]);
					try {
						await editor.openNode(workflow.id, name);
						if (key === 'message') lists.resource = await editor.parameterChoices('resource');
						lists[key] = await editor.parameterOptions('operation');
						if (key === 'campaign') {
							const input = page.getByTestId('parameter-input-campaignId').locator('input, textarea').first();
							campaignId = {
								placeholder: await input.getAttribute('placeholder'),
								hint: await editor.panelShows("Usually mapped from the sending node's output"),
							};
						}
					} finally {
						await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
					}
				}
				assert.deepEqual(lists.resource, ['Message', 'Campaign', 'Opt-Out']);
				const names = (key) => lists[key].map((option) => option.name);
				assert.deepEqual(names('message'), [
					'Mark as Read',
					'React',
					'Send and Wait for Response',
					'Send Contacts',
					'Send CTA URL Button',
					'Send Flow',
					'Send List',
					'Send Location',
					'Send Media',
					'Send Reply Buttons',
					'Send Text',
				]);
				assert.deepEqual(names('campaign'), ['Get', 'List by Day'], 'Cloud: no Pause, Resume or Cancel (they need the Lite container)');
				assert.deepEqual(names('campaignLite'), ['Cancel', 'Get', 'List by Day', 'Pause', 'Resume']);
				assert.deepEqual(names('optOut'), ['Add', 'Check', 'Import', 'List', 'Remove']);
				assert.deepEqual(names('template'), ['Send', 'Preview']);
				const undescribed = ['message', 'campaignLite', 'optOut', 'template'].flatMap((key) =>
					lists[key].filter((option) => !option.description).map((option) => `${key}: ${option.name}`),
				);
				assert.deepEqual(undescribed, [], 'every operation has a description');
				// The Lite notice says: fails unless Options › Interactive Messages on Lite says otherwise. The list says the same.
				for (const operation of ['Send CTA URL Button', 'Send List', 'Send Reply Buttons']) {
					const { description } = lists.message.find((option) => option.name === operation);
					assert.match(description, /on Lite only as .*, if chosen in Options/, `${operation}: "${description}"`);
				}
				assert.ok(!campaignId.placeholder.startsWith('='), `Campaign ID placeholder "${campaignId.placeholder}" is no raw expression`);
				assert.ok(campaignId.hint, 'Campaign ID hints how to map it');
				return `Message: ${lists.message.map((option) => `${option.name} (${option.description})`).join('; ')}`;
			},
		],
		[
			'Backend is a visible field: a new node shows Cloud API with its Cloud credential; the Redis field lists only Redis credentials; switching to Lite switches the credential field',
			async () => {
				const redis = await editor.rest('POST', '/credentials', {
					name: 'Shared Redis (UI test)',
					type: 'whatsAppRedis',
					data: { host: '127.0.0.1', port: 6379, password: '', database: 0, tls: false, keyPrefix: '' },
				});
				const fresh = { id: 'fresh-send', name: 'WhatsApp Send', type: SEND_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
				const workflow = await editor.createWorkflow('fresh send node', [fresh]);
				try {
					await editor.openNode(workflow.id, 'WhatsApp Send');
					const labels = await editor.visibleParameterLabels();
					assert.equal(labels[0], 'Backend', `the first field: ${JSON.stringify(labels)}`);
					assert.equal(
						await page.getByTestId('parameter-input-backend').locator('input').first().inputValue(),
						'Cloud API (Meta)',
						'Backend is Cloud API by default',
					);
					assert.deepEqual(await editor.credentialLabels(), CREDENTIAL_LABELS.cloud);
					const selected = await page
						.getByTestId('node-credentials-select')
						.locator('input')
						.evaluateAll((inputs) => inputs.map((input) => input.value));
					assert.notEqual(selected[0], 'Lite sandbox', `a new node does not pick the Lite credential: ${JSON.stringify(selected)}`);
					const cloudChoices = await editor.credentialChoices(0);
					assert.ok(
						cloudChoices.every((choice) => /WhatsApp Cloud API/.test(choice)),
						`the Cloud field lists Cloud credentials only: ${JSON.stringify(cloudChoices)}`,
					);
					const redisChoices = await editor.credentialChoices(1);
					assert.ok(
						redisChoices.length > 0 && redisChoices.every((choice) => /Redis/.test(choice)),
						`the Redis field lists Redis credentials only: ${JSON.stringify(redisChoices)}`,
					);
					await shot('03a-send-new-node-backend');
					assert.deepEqual(await editor.parameterChoices('backend'), ['Cloud API (Meta)', 'Lite Container (WhatsApp Web)']);
					await page.getByTestId('parameter-input-backend').locator('input').first().click();
					await page.locator('.el-select-dropdown__item').filter({ visible: true, hasText: 'Lite Container' }).first().click();
					await eventually(
						'the Lite credential field after switching the backend',
						async () => JSON.stringify(await editor.credentialLabels()) === JSON.stringify(CREDENTIAL_LABELS.lite),
					);
					await shot('03b-send-switched-to-lite');
					return `new node: ${labels.slice(0, 3).join(', ')}…, credentials picked by n8n ${JSON.stringify(selected)}; Redis field: ${redisChoices.join(', ')}`;
				} finally {
					await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
					await editor.rest('DELETE', `/credentials/${redis.id}`).catch(() => undefined);
				}
			},
		],
		[
			'credential dialogs: the test succeeds against both sandboxes and says in plain words what is wrong with a bad key',
			async () => {
				const testBanner = async (credentialId, name) => {
					await page.goto(`${n8nUrl}/home/credentials/${credentialId}`);
					// n8n 1.x: a success tag with a test id, or a danger tag "Couldn't connect…" whose "More details" shows our message.
					const outcome = page
						.locator('[data-test-id="credentials-config-container-test-success"], .el-tag--danger')
						.filter({ visible: true, hasText: /connect/i })
						.first();
					await outcome.waitFor();
					const kind = (await outcome.getAttribute('data-test-id')) ?? 'error';
					const details = outcome.getByText('More details');
					if (await details.count()) await details.click();
					await eventually(`the credential test's message for "${name}"`, async () => !/More details/.test(await outcome.textContent()));
					await shot(`04-credential-${name.replace(/\W+/g, '-')}`);
					const text = (await outcome.textContent()).replace(/Couldn.t connect with these settings|Retry/g, ' ');
					return { kind, text: text.replace(/\s+/g, ' ').trim() };
				};
				for (const [id, name] of [
					[stack.credentialIds.cloud, 'cloud-sandbox'],
					[stack.credentialIds.lite, 'lite-sandbox'],
				]) {
					const result = await testBanner(id, name);
					assert.equal(result.kind, 'credentials-config-container-test-success', `${name}: ${result.text}`);
					if (name === 'lite-sandbox') {
						const dialog = await page.getByRole('dialog').filter({ visible: true }).first().innerText();
						assert.ok(
							dialog.includes('Account Name on the Container') && !dialog.includes('Suit ID'),
							'the Lite dialog names no "Suit ID"',
						);
					}
					await page.keyboard.press('Escape');
				}
				const wrong = {
					cloud: {
						name: 'Cloud sandbox, expired token',
						type: 'whatsAppCloudApi',
						data: { ...stack.cloud.credentialData, accessToken: 'EAAexpiredToken000' },
					},
					lite: {
						name: 'Lite sandbox, wrong key',
						type: 'whatsAppLiteApi',
						data: { ...stack.lite.credentialData, apiKey: 'not-the-api-key' },
					},
				};
				const messages = {};
				for (const [backend, credential] of Object.entries(wrong)) {
					const created = await editor.rest('POST', '/credentials', credential);
					try {
						const result = await testBanner(created.id, `${backend}-wrong`);
						assert.notEqual(result.kind, 'credentials-config-container-test-success', `${backend}: a wrong key tested successfully`);
						messages[backend] = result.text;
					} finally {
						await editor.rest('DELETE', `/credentials/${created.id}`).catch(() => undefined);
					}
				}
				assert.match(messages.cloud, /access token/i, `Cloud: ${messages.cloud}`);
				assert.equal(
					messages.cloud.split('Error validating access token').length - 1,
					1,
					`Meta's text once in the Cloud failure: ${messages.cloud}`,
				);
				assert.match(messages.lite, /API key/i, `Lite: ${messages.lite}`);
				// The Redis credential has a test too: here with nothing listening on its port.
				const closedPort = await new Promise((resolve) => {
					const server = net.createServer().listen(0, '127.0.0.1', () => {
						const { port } = server.address();
						server.close(() => resolve(port));
					});
				});
				const redis = await editor.rest('POST', '/credentials', {
					name: 'Redis, nothing listening',
					type: 'whatsAppRedis',
					data: { host: '127.0.0.1', port: closedPort, password: '', database: 0, tls: false, keyPrefix: '' },
				});
				try {
					const result = await testBanner(redis.id, 'redis-nothing-listening');
					assert.notEqual(result.kind, 'credentials-config-container-test-success', 'Redis: nothing listening tested successfully');
					messages.redis = result.text;
				} finally {
					await editor.rest('DELETE', `/credentials/${redis.id}`).catch(() => undefined);
				}
				assert.ok(
					messages.redis.includes(`Redis at 127.0.0.1:${closedPort} did not answer: nothing listens on that port`) &&
						/Check host, port/.test(messages.redis),
					`Redis: ${messages.redis}`,
				);
				assert.ok(
					!/status code|\b401\b|ECONN|undefined/i.test(`${messages.cloud} ${messages.lite}`),
					`plain language: ${JSON.stringify(messages)}`,
				);
				return `Cloud: "${messages.cloud}" · Lite: "${messages.lite}" · Redis: "${messages.redis}"`;
			},
		],
		[
			"Template Send: no notice before a template is picked; the list loads from the Cloud API sandbox; placeholders show short labels the panel shows whole, with Meta's example where it fits; a failure shows its real reason",
			async () => {
				const placeholderLabel = /^(Header|Body|Button|Location|One-Time Code)\b/;
				const cutPlaceholders = async () => (await editor.cutParameterLabels()).filter((label) => placeholderLabel.test(label));
				await editor.openNode(stack.workflows.template, 'WhatsApp Template Send');
				const imported = await editor.visibleParameterLabels();
				for (const label of ['Header {{1}}', 'Body {{1}} · e.g. Ada', 'Body {{2}}', 'Body {{3}}', 'Button 1 URL Suffix']) {
					assert.ok(imported.includes(label), `the example's order_update "${label}" among ${JSON.stringify(imported)}`);
				}
				assert.deepEqual(await cutPlaceholders(), [], 'every placeholder label is shown whole');
				assert.ok(await editor.panelShows('A media header takes a public link, a media ID or the name of a binary field'));
				await shot('05-template-order-update');
				// A Template Send node dropped on a canvas: no template yet, no red notice; the list comes from the sandbox.
				const fresh = {
					id: 'template-node',
					name: 'WhatsApp Template Send',
					type: `${PKG.name}.whatsAppTemplateSend`,
					typeVersion: 1,
					position: [0, 0],
					parameters: { backend: 'cloud', templateSource: 'meta' },
					credentials: credentialsFor('cloud'),
				};
				const workflow = await editor.createWorkflow('template picker', [fresh]);
				await editor.openNode(workflow.id, 'WhatsApp Template Send');
				assert.ok(await editor.panelShows('Pick a template: its placeholders then show here'), 'the hint to pick a template');
				assert.equal(
					await editor.panelShows('This template has no placeholders', 1_000),
					false,
					'no "no placeholders" notice before a template is picked',
				);
				assert.ok(
					!(await editor.visibleParameterLabels()).includes('Template Parameters'),
					'no placeholder mapper before a template is picked',
				);
				await shot('05a-template-panel-new');
				await page.getByTestId('rlc-input').first().click();
				const item = page.getByTestId('rlc-item').filter({ hasText: 'welcome_named' }).first();
				await item.waitFor();
				const listed = (await page.getByTestId('rlc-item').allTextContents()).map((text) => text.trim());
				await shot('05b-template-list');
				await item.click();
				const labels = await eventually("welcome_named's placeholders in the panel", async () => {
					const shown = await editor.visibleParameterLabels();
					return shown.includes('Body {{first_name}}') && shown;
				});
				assert.ok(labels.includes('Body {{shop_name}}'), `Body {{shop_name}} among ${JSON.stringify(labels)}`);
				assert.deepEqual(await cutPlaceholders(), [], 'every placeholder label is shown whole');
				assert.ok(
					!labels.some((label) => /^(Header|Body) \{\{\d\}\}/.test(label)),
					`only welcome_named's placeholders: ${JSON.stringify(labels)}`,
				);
				await shot('05c-template-welcome-named');
				// The template of the issue's screenshot: a media header, examples and a coupon code.
				await page.getByTestId('rlc-input').first().click();
				await page.getByTestId('rlc-item').filter({ hasText: 'spring_sale' }).first().click();
				const spring = await eventually("spring_sale's placeholders in the panel", async () => {
					const shown = await editor.visibleParameterLabels();
					return shown.includes('Header Image') && shown;
				});
				for (const label of ['Body {{1}} · e.g. Ada', 'Body {{2}} · e.g. 20%', 'Button 1 Coupon Code'])
					assert.ok(spring.includes(label), `spring_sale's "${label}" among ${JSON.stringify(spring)}`);
				assert.deepEqual(await cutPlaceholders(), [], 'every placeholder label is shown whole');
				await page.getByTestId('ndv').getByText('Button 1 Coupon Code').first().scrollIntoViewIfNeeded();
				await shot('05c2-template-spring-sale');
				await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);

				// A template that cannot load: the panel says why, not "no placeholders" (and n8n answers no HTTP 500: last case).
				const missing = {
					...fresh,
					parameters: { ...fresh.parameters, template: { __rl: true, mode: 'name', value: 'no_such_template:en_US' } },
				};
				const broken = await editor.createWorkflow('template that does not exist', [missing]);
				await editor.openNode(broken.id, 'WhatsApp Template Send');
				assert.ok(
					await editor.panelShows('Template "no_such_template:en_US" does not exist in this WhatsApp Business Account'),
					'the real reason in the panel',
				);
				assert.equal(await editor.panelShows('This template has no placeholders', 1_000), false, 'not the "no placeholders" text');
				await shot('05d-template-load-error');
				await editor.rest('DELETE', `/workflows/${broken.id}`).catch(() => undefined);

				// Lite: Text Template only; a node left on Meta Approved Template says so and loads nothing.
				const onLite = {
					...fresh,
					parameters: { backend: 'lite', templateSource: 'meta', template: { __rl: true, mode: 'list', value: 'order_update:en_US' } },
					credentials: credentialsFor('lite'),
				};
				const lite = await editor.createWorkflow('template on lite', [onLite]);
				await editor.openNode(lite.id, 'WhatsApp Template Send');
				assert.ok(
					await editor.panelShows('Meta Approved Templates are sent only through the Cloud API'),
					'the Lite panel says Meta templates need the Cloud API',
				);
				assert.ok(!(await editor.visibleParameterLabels()).includes('Template Parameters'), 'no placeholders loaded on Lite');
				await shot('05e-template-meta-on-lite');
				await editor.rest('DELETE', `/workflows/${lite.id}`).catch(() => undefined);
				return `${listed.length} templates listed; welcome_named → ${labels.filter((label) => /\{\{/.test(label)).join(' | ')}`;
			},
		],
		[
			'Text Template switched to Expression: n8n evaluates {{…}} itself (its preview shows the placeholder gone), so the run fails naming the field and the escape; \\{{…}} reaches the node and is filled',
			async () => {
				const start = {
					id: 'start',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				};
				const templateSend = (textTemplate) => ({
					id: 'text-template',
					name: 'WhatsApp Template Send',
					type: `${PKG.name}.whatsAppTemplateSend`,
					typeVersion: 1,
					position: [260, 0],
					parameters: {
						backend: 'lite',
						templateSource: 'text',
						recipient: '+49 151 23456789',
						textTemplate,
						delivery: { mode: 'direct' },
					},
					credentials: credentialsFor('lite'),
				});
				const connections = { Start: { main: [[{ node: 'WhatsApp Template Send', type: 'main', index: 0 }]] } };
				const runInEditor = async (workflowId) => {
					await page.goto(`${n8nUrl}/workflow/${workflowId}`);
					await page.getByTestId('execute-workflow-button').click();
					const [execution] = await editor.waitForExecutions(workflowId, (executions) =>
						executions.some((run) => run.status === 'success' || run.status === 'error'),
					);
					return execution;
				};

				const plain = await editor.createWorkflow(
					'text template as an expression',
					[start, templateSend('Hello {{user.first_name | "there"}}!')],
					connections,
				);
				await editor.openNode(plain.id, 'WhatsApp Template Send');
				const field = page
					.getByTestId('parameter-item')
					.filter({ has: page.getByTestId('parameter-input-textTemplate') })
					.last();
				await field.hover();
				await field.getByTestId('radio-button-expression').click();
				// n8n's Result preview under the field: the placeholder evaluated away ("Hello [undefined]!" or "Hello !").
				assert.ok(
					await editor.panelShows(/^\s*Hello\s*(\[undefined\])?\s*!\s*$/),
					"n8n's preview of the expression, without the placeholder",
				);
				await shot('05f-text-template-switched-to-expression');
				// Execute step, from the panel: n8n runs Start, then this node with the value switched to Expression.
				await page.getByTestId('node-execute-button').filter({ visible: true }).first().click();
				const [refused] = await editor.waitForExecutions(plain.id, (executions) =>
					executions.some((run) => run.status === 'success' || run.status === 'error'),
				);
				assert.equal(refused.status, 'error', `execution ${refused.id}: the unescaped placeholder is refused`);
				assert.ok(
					await editor.panelShows('is in an expression, so n8n evaluated it itself (to nothing) before the node could fill it'),
					'the error says what happened to the placeholder',
				);
				const shown = await page.getByTestId('ndv').innerText();
				assert.ok(shown.includes('Write it as \\{{user.first_name | "there"}}'), `the fix names the escape: ${shown.slice(0, 400)}`);
				await shot('05g-text-template-expression-refused');

				await lite('DELETE', '/sandbox/messages');
				const escaped = await editor.createWorkflow(
					'text template escaped in an expression',
					[start, templateSend('=Hello \\{{user.first_name | "there"}}, from {{ $workflow.name }}')],
					connections,
				);
				const sent = await runInEditor(escaped.id);
				assert.equal(sent.status, 'success', `execution ${sent.id} ended ${sent.status}`);
				const message = await eventually('the message in the Lite sandbox', async () =>
					(await lite('GET', '/sandbox/messages')).messages.find((entry) => entry.chatId === '4915123456789@c.us'),
				);
				assert.equal(message.content.text, 'Hello there, from text template escaped in an expression');
				for (const workflow of [plain, escaped]) await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
				return `n8n's preview without the placeholder; escaped: "${message.content.text}"`;
			},
		],
		[
			"WhatsApp Trigger on each backend: a setup notice pointing at the Production URL n8n shows (…/webhook/<id>/webhook), and Trigger On lists that backend's events only",
			async () => {
				const choices = {};
				const urls = {};
				for (const backend of ['cloud', 'lite']) {
					// The Cloud one also has a Lite event (as the node creator, which lists every event, may give it).
					const trigger = {
						id: 'trigger-panel',
						name: 'WhatsApp Trigger',
						type: `${PKG.name}.whatsAppTrigger`,
						typeVersion: 1,
						position: [0, 0],
						webhookId: crypto.randomUUID(),
						parameters: { backend, events: backend === 'cloud' ? ['message', 'session'] : ['message'] },
						credentials: credentialsFor(backend),
					};
					const workflow = await editor.createWorkflow(`trigger panel ${backend}`, [trigger]);
					try {
						await editor.openNode(workflow.id, 'WhatsApp Trigger');
						const notice = backend === 'lite' ? 'On the Lite container, set WEBHOOK_SECRET' : 'In the Meta app (WhatsApp → Configuration)';
						assert.ok(await editor.panelShows(notice), `${backend}: the setup notice`);
						assert.ok(await editor.panelShows('Production URL under Webhook URLs above'), `${backend}: the notice points at the URL`);
						// The URL the notice points at, exactly as n8n serves it (the Cloud and Lite cases below deliver to it).
						urls[backend] = await editor.productionWebhookUrls();
						assert.deepEqual(urls[backend], [`${n8nUrl}/webhook/${trigger.webhookId}/webhook`], `${backend}: the Production URL`);
						assert.equal(
							await editor.panelShows('Set Backend to Lite Container (WhatsApp Web)', backend === 'cloud' ? 10_000 : 500),
							backend === 'cloud',
							`${backend}: the notice on a Lite event`,
						);
						choices[backend] = await editor.parameterChoices('events');
						await shot(`09-trigger-${backend}`);
					} finally {
						await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
					}
				}
				assert.deepEqual(choices.cloud, [
					'Account Update',
					'Contact ID Changed',
					'Error',
					'Message Received',
					'Message Status',
					'Template Status',
				]);
				assert.deepEqual(choices.lite, ['Campaign Finished', 'Campaign Progress', 'Message Received', 'Message Status', 'Session Change']);
				return `Cloud: ${choices.cloud.join(', ')} · Lite: ${choices.lite.join(', ')}; Production URL ${urls.lite[0]}`;
			},
		],
		[
			'the example segment workflow runs in the editor: one output item per recipient, queued in a container campaign that the gateway sends',
			async () => {
				await lite('DELETE', '/sandbox/messages');
				await page.goto(`${n8nUrl}/workflow/${stack.workflows.segment}`);
				await page.getByTestId('execute-workflow-button').click();
				const [execution] = await editor.waitForExecutions(
					stack.workflows.segment,
					(executions) => executions.some((run) => run.status === 'success' || run.status === 'error'),
					180_000,
				);
				assert.equal(execution.status, 'success', `execution ${execution.id} ended ${execution.status}`);
				await page.getByTestId('canvas-node').filter({ hasText: 'WhatsApp Send' }).first().dblclick();
				await page.getByTestId('ndv').waitFor();
				const output = page.getByTestId('output-panel');
				await output.getByTestId('radio-button-table').click();
				await output.getByText('5 items').first().waitFor();
				assert.equal(await output.getByText('queued', { exact: true }).count(), 5, 'status "queued" on each of the 5 items');
				assert.equal(await output.getByText('recipient', { exact: true }).count(), 0, 'the recipient is in `to` only');
				await shot('06-segment-output');
				// The gateway sends the campaign at the sandbox pace (seconds apart), one message per recipient.
				const messages = await eventually(
					'the campaign sent to all 5 recipients',
					async () => {
						const { messages: sent } = await lite('GET', '/sandbox/messages');
						return sent.length >= 5 && sent;
					},
					120_000,
				);
				assert.equal(new Set(messages.map((message) => message.chatId)).size, 5, 'one message per recipient');
				return `5 items queued; the gateway sent ${messages.length}: ${messages.map((message) => message.chatId).join(', ')}`;
			},
		],
		[
			'the keyword workflow, activated in the editor, runs when the Lite sandbox receives "JOIN"',
			async () => {
				await page.goto(`${n8nUrl}/workflow/${stack.workflows.keyword}`);
				await editor.activateOpenWorkflow();
				const keywordTrigger = (await editor.rest('GET', `/workflows/${stack.workflows.keyword}`)).nodes.find((node) => node.webhookId);
				const productionUrl = `${n8nUrl}/webhook/${keywordTrigger.webhookId}/webhook`;
				await eventually('the trigger registered its Production URL with the Lite gateway', async () =>
					(await lite('GET', '/webhooks')).webhooks.some((hook) => hook.url === productionUrl),
				);
				await lite('DELETE', '/sandbox/messages');
				await lite('POST', '/sandbox/inbound', { from: '+49 151 23456709', name: 'Grace', body: 'JOIN spring-sale' });
				const [execution] = await editor.waitForExecutions(
					stack.workflows.keyword,
					(executions) => executions.length > 0 && executions[0].status !== 'running' && executions[0].status !== 'new',
				);
				assert.equal(execution.status, 'success', `execution ${execution.id} ended ${execution.status}`);
				const reply = await eventually('the auto-reply in the sandbox', async () =>
					(await lite('GET', '/sandbox/messages')).messages.find((message) => message.chatId === '4915123456709@c.us'),
				);
				assert.match(reply.content.text, /^Welcome, Grace!/);
				await page.goto(`${n8nUrl}/workflow/${stack.workflows.keyword}/executions`);
				await page
					.getByText(/^Succeeded/)
					.filter({ visible: true })
					.first()
					.waitFor();
				await page.keyboard.press('Escape'); // n8n's "Production Checklist" popover, after the first activation
				await shot('07-keyword-executions');
				return `execution ${execution.id}: "${reply.content.text.slice(0, 40)}…"`;
			},
		],
		[
			'the Cloud keyword example, activated in the editor, subscribes to the Cloud API sandbox (Register Automatically) and replies when it "receives" JOIN',
			async () => {
				const workflowId = stack.workflows.cloudKeyword;
				await page.goto(`${n8nUrl}/workflow/${workflowId}`);
				await editor.activateOpenWorkflow();
				const trigger = (await editor.rest('GET', `/workflows/${workflowId}`)).nodes.find((node) => node.webhookId);
				const productionUrl = `${n8nUrl}/webhook/${trigger.webhookId}/webhook`;
				const subscribed = () =>
					stack.cloud.sandbox.graph.subscriptions.find((subscription) => subscription.callback_url.startsWith(n8nUrl));
				await eventually("the trigger subscribed the sandbox's Meta app to its URL", async () => subscribed());
				assert.equal(subscribed().callback_url, productionUrl, 'the callback URL is the Production URL the panel shows');
				// What npm start prints for the Cloud sandbox: the same `body` as the Lite sandbox's.
				const answer = await fetch(`${stack.cloud.url}/sandbox/inbound`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ from: '+44 20 7946 0958', name: 'Linus', body: 'JOIN' }),
				});
				assert.equal(answer.status, 200, `POST /sandbox/inbound answered ${answer.status}: ${await answer.clone().text()}`);
				assert.deepEqual(
					(await answer.json()).delivered.map((delivery) => delivery.status),
					[200],
					'n8n accepted the signed webhook',
				);
				const [execution] = await editor.waitForExecutions(
					workflowId,
					(executions) => executions.length > 0 && executions[0].status !== 'running' && executions[0].status !== 'new',
				);
				assert.equal(execution.status, 'success', `execution ${execution.id} ended ${execution.status}`);
				const reply = await eventually('the auto-reply in the Cloud sandbox', async () => {
					const { messages } = await (await fetch(`${stack.cloud.url}/sandbox/messages`)).json();
					return messages.find((message) => JSON.stringify(message).includes('442079460958'));
				});
				assert.match(JSON.stringify(reply), /Welcome, Linus!/);
				return `callback ${new URL(subscribed().callback_url).pathname}, execution ${execution.id}`;
			},
		],
		[
			'the README screenshot: the three nodes on a canvas',
			async () => {
				const nodes = [
					{
						id: 'n1',
						name: 'WhatsApp Trigger',
						type: `${PKG.name}.whatsAppTrigger`,
						typeVersion: 1,
						position: [0, 0],
						webhookId: '7d0c1f6e-0000-4000-8000-00000000d0c5',
						parameters: { backend: 'lite', events: ['message'] },
						credentials: credentialsFor('lite'),
					},
					{
						id: 'n2',
						name: 'WhatsApp Send',
						type: SEND_TYPE,
						typeVersion: 1,
						position: [260, 0],
						parameters: { backend: 'lite', operation: 'sendText', recipient: '={{ $json.from }}', text: 'Thanks!' },
						credentials: credentialsFor('lite'),
					},
					{
						id: 'n3',
						name: 'WhatsApp Template Send',
						type: `${PKG.name}.whatsAppTemplateSend`,
						typeVersion: 1,
						position: [520, 0],
						parameters: {
							backend: 'cloud',
							templateSource: 'meta',
							template: { __rl: true, mode: 'list', value: 'welcome_named:en_US' },
							recipient: '={{ $json.from }}',
						},
						credentials: credentialsFor('cloud'),
					},
				];
				const connections = {
					'WhatsApp Trigger': { main: [[{ node: 'WhatsApp Send', type: 'main', index: 0 }]] },
					'WhatsApp Send': { main: [[{ node: 'WhatsApp Template Send', type: 'main', index: 0 }]] },
				};
				const workflow = await editor.createWorkflow('WhatsApp Automator nodes', nodes, connections);
				await page.setViewportSize({ width: 1100, height: 520 });
				try {
					await page.goto(`${n8nUrl}/workflow/${workflow.id}`);
					await page.getByTestId('canvas-node').nth(2).waitFor();
					await page.getByTestId('zoom-to-fit').click();
					await page.mouse.move(700, 120); // no tooltip in the picture
					await sleep(800);
					await shot('08-editor-nodes');
					const canvasText = (await page.getByTestId('canvas-node').allTextContents()).join(' | ');
					for (const subtitle of ['Message Received', 'Send Text', 'Send: Meta Approved Template'])
						assert.ok(canvasText.includes(subtitle), `subtitle "${subtitle}" on the canvas: ${canvasText}`);
					assert.ok(!/sendText|send: meta|\bmessage\b(?! Received)/.test(canvasText), `no raw values on the canvas: ${canvasText}`);
				} finally {
					await page.setViewportSize({ width: 1440, height: 900 });
					await editor.rest('DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
				}
				return `copy ui-screenshots/…/08-editor-nodes.png to ${path.relative(ROOT, path.join(ROOT, 'docs', 'images', 'editor-nodes.png'))} to update the README's`;
			},
		],
		[
			'no uncaught errors, console errors or HTTP 5xx in the browser that come from this package',
			async () => {
				assert.deepEqual(packageErrors, []);
			},
		],
	];
};
