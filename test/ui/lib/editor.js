'use strict';
/**
 * Small helpers over n8n's editor for the browser tests: n8n's REST API as the logged-in owner (the browser
 * context's own cookies), and the parts of the editor the cases read. n8n marks its elements with data-test-id.
 */
const { sleep } = require('../../e2e/lib/processes');

class Editor {
	constructor({ context, page, baseUrl }) {
		this.context = context;
		this.page = page;
		this.baseUrl = baseUrl;
	}

	async login({ email, password }) {
		const response = await this.context.request.post(`${this.baseUrl}/rest/login`, { data: { emailOrLdapLoginId: email, password } });
		if (!response.ok()) throw new Error(`n8n login as ${email} answered ${response.status()}`);
	}

	/** n8n's internal REST API (what the editor itself calls); resolves with `data`. */
	async rest(method, path, data) {
		const response = await this.context.request.fetch(`${this.baseUrl}/rest${path}`, { method, ...(data !== undefined && { data }) });
		const body = await response.json().catch(() => ({}));
		if (!response.ok()) throw new Error(`n8n ${method} /rest${path} answered ${response.status()}: ${JSON.stringify(body).slice(0, 300)}`);
		return body.data;
	}

	async createWorkflow(name, nodes, connections = {}) {
		return this.rest('POST', '/workflows', { name, active: false, nodes, connections, settings: { executionOrder: 'v1' } });
	}

	/** Opens a workflow and the panel (NDV) of one of its nodes by double-clicking it on the canvas. */
	async openNode(workflowId, nodeName) {
		await this.page.goto(`${this.baseUrl}/workflow/${workflowId}`);
		await this.page.getByTestId('canvas-node').filter({ hasText: nodeName }).first().dblclick();
		await this.page.getByTestId('node-parameters').waitFor();
	}

	/** The labels of the parameters the open panel shows, in order (without the Fixed/Expression switch's text). */
	async visibleParameterLabels() {
		await sleep(300); // let n8n finish re-rendering the parameter list after a change
		return this.page.$$eval('[data-test-id="node-parameters"] [data-test-id="input-label"]', (labels) =>
			labels
				.filter((label) => label.checkVisibility())
				.map((label) =>
					(label.querySelector('label') ?? label).textContent
						.replace(/FixedExpression\s*$/, '')
						.replace(/\s+/g, ' ')
						.trim(),
				),
		);
	}

	/**
	 * The parameter labels of the open panel that the editor cuts (an element of the label, or the label, clipping its
	 * text: n8n 2.x ends such a label with "…" and offers no tooltip), each with what it shows of it.
	 */
	async cutParameterLabels() {
		await this.page.mouse.move(1, 1); // a hovered field's Fixed/Expression switch takes room from its label
		await sleep(300);
		return this.page.$$eval('[data-test-id="node-parameters"] [data-test-id="input-label"]', (labels) =>
			labels
				.filter((label) => label.checkVisibility())
				.filter((label) =>
					[label, ...label.querySelectorAll('*')].some((element) => {
						const style = getComputedStyle(element);
						const clips = style.overflow !== 'visible' || style.textOverflow === 'ellipsis';
						return clips && element.scrollWidth > element.clientWidth + 1 && element.textContent.trim() !== '';
					}),
				)
				.map((label) => (label.querySelector('label') ?? label).textContent.replace(/\s+/g, ' ').trim()),
		);
	}

	/** The labels of the credential fields the open panel shows, in order. */
	async credentialLabels() {
		await sleep(300);
		return this.page.$$eval('[data-test-id="ndv"] [data-test-id="credentials-label"]', (labels) =>
			labels
				.filter((label) => label.checkVisibility())
				.map((label) => (label.querySelector('label') ?? label).textContent.replace(/\s+/g, ' ').trim()),
		);
	}

	/** The names in the open panel's credential dropdown `index` (0: the first credential field). */
	async credentialChoices(index) {
		await this.page.getByTestId('node-credentials-select').nth(index).locator('input').first().click();
		const items = this.page
			.locator('[data-test-id^="node-credentials-select-item-"]:not([data-test-id$="-new"])')
			.filter({ visible: true });
		await items.first().waitFor();
		const names = (await items.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
		await this.closeDropdown(items);
		return names;
	}

	/** Closes an open dropdown and waits until its items are gone, so the next read sees only the next list. */
	async closeDropdown(items) {
		await this.page.keyboard.press('Escape');
		const closed = () =>
			items
				.first()
				.waitFor({ state: 'hidden', timeout: 5_000 })
				.then(
					() => true,
					() => false,
				);
		if (await closed()) return;
		await this.page.getByTestId('ndv').getByText('Parameters', { exact: true }).first().click(); // n8n 2.x keeps some lists open on Escape
		await items.first().waitFor({ state: 'hidden' });
	}

	/** The choices of an options or multi-options parameter of the open panel, as its dropdown lists them. */
	async parameterChoices(parameterName) {
		return (await this.parameterOptions(parameterName)).map((option) => option.name);
	}

	/** The choices of an options parameter with the description each shows under its name ('' when none). */
	async parameterOptions(parameterName) {
		await this.page.getByTestId(`parameter-input-${parameterName}`).locator('input').first().click();
		const items = this.page.locator('.el-select-dropdown__item').filter({ visible: true });
		await items.first().waitFor();
		const options = await items.evaluateAll((elements) =>
			elements.map((element) => {
				const clean = (text) => text.replace(/\s+/g, ' ').trim();
				const name = clean((element.querySelector('.option-headline') ?? element).textContent);
				return { name, description: clean(clean(element.textContent).slice(name.length)) };
			}),
		);
		await this.closeDropdown(items);
		return options;
	}

	/** The Production URLs the open trigger panel shows under "Webhook URLs", each once. */
	async productionWebhookUrls() {
		const parameters = this.page.getByTestId('node-parameters');
		await parameters.getByText('Webhook URLs', { exact: true }).first().click();
		await parameters.getByText('Production URL', { exact: true }).first().click();
		await sleep(300);
		const shown = (await parameters.innerText()).match(/https?:\/\/\S+/g) ?? [];
		return [...new Set(shown)];
	}

	/** Whether the open panel shows `text` (a notice, a hint, a placeholder's label) within a few seconds. */
	async panelShows(text, timeoutMs = 10_000) {
		return this.page
			.getByTestId('ndv')
			.getByText(text)
			.filter({ visible: true })
			.first()
			.waitFor({ timeout: timeoutMs })
			.then(
				() => true,
				() => false,
			);
	}

	/** Activates the open workflow the way its n8n offers: 1.x's Active switch, 2.x's Publish (and its dialog). */
	async activateOpenWorkflow() {
		const activeSwitch = this.page.getByTestId('workflow-activate-switch');
		const publish = this.page.getByRole('button', { name: 'Publish', exact: true });
		await activeSwitch.or(publish).first().waitFor();
		if (await activeSwitch.count()) {
			await activeSwitch.click();
			await this.page
				.getByRole('button', { name: /got it/i })
				.click({ timeout: 5_000 })
				.catch(() => undefined); // 1.x's "activated" notice
			return;
		}
		await publish.first().click();
		const confirm = this.page.getByRole('dialog').getByRole('button', { name: /^Publish/ });
		await confirm.click({ timeout: 10_000 }).catch(() => undefined); // 2.x asks for a version name first
	}

	/** Polls n8n's executions of a workflow until `accept(executions)` holds; resolves with them. */
	async waitForExecutions(workflowId, accept, timeoutMs = 120_000) {
		const deadline = Date.now() + timeoutMs;
		let last = [];
		while (Date.now() < deadline) {
			const listing = await this.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=20`);
			last = listing?.results ?? listing ?? [];
			if (accept(last)) return last;
			await sleep(500);
		}
		throw new Error(
			`workflow ${workflowId}: executions did not reach the expected state within ${timeoutMs / 1000} s (last: ${JSON.stringify(last.map(({ id, status, mode }) => ({ id, status, mode })))})`,
		);
	}
}

module.exports = { Editor };
