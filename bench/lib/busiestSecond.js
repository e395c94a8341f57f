'use strict';

/** The most of these times (ms) within any one second: the window Meta's (and the fake's) throughput limit counts in. */
function busiestSecond(times) {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let first = 0, last = 0; last < sorted.length; last++) {
		while (sorted[last] - sorted[first] >= 1000) first++;
		most = Math.max(most, last - first + 1);
	}
	return most;
}

module.exports = { busiestSecond };
