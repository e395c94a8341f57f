/** Polls until `check` returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(
	check: () => T | Promise<T>,
	timeoutMs = 5_000,
	what = 'the condition',
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
