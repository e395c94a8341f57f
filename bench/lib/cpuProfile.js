'use strict';
/** A V8 CPU profile of this process's main thread from startCpuProfile() to stop(), which returns the profile. */
const { Session } = require('node:inspector');

async function startCpuProfile() {
	const session = new Session();
	session.connect();
	const post = (method, params) =>
		new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
	await post('Profiler.enable');
	await post('Profiler.setSamplingInterval', { interval: 200 });
	await post('Profiler.start');
	return {
		stop: async () => {
			const { profile } = await post('Profiler.stop');
			session.disconnect();
			return profile;
		},
	};
}

module.exports = { startCpuProfile };
