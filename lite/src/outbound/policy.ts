import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Why an outbound request was not made; `url` has no path or query (webhook paths work like secrets). */
export class OutboundRefused extends Error {
	constructor(
		readonly url: string,
		reason: string,
	) {
		super(`${url} is not allowed: ${reason}`);
	}
}

/** An allow-list entry: a host name (matched by name), an address or a CIDR range (matched by resolved address). */
type HostRule = { name: string } | { range: [Address, number] };

function hostRule(entry: string): HostRule {
	const text = entry
		.trim()
		.toLowerCase()
		.replace(/^\[(.*)\]$/, '$1');
	if (ipaddr.isValidCIDR(text)) return { range: ipaddr.parseCIDR(text) };
	if (ipaddr.isValid(text)) {
		const address = ipaddr.parse(text);
		return { range: [address, address.kind() === 'ipv4' ? 32 : 128] };
	}
	return { name: text };
}

/** `::ffff:10.0.0.1` connects to 10.0.0.1, so it is judged as that address where the mapping is allowed at all. */
function unmapped(address: Address): Address {
	return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

const NAT64 = ['64:ff9b::/96', '64:ff9b:1::/48', '::ffff:0:0:0/96'].map((range) => ipaddr.parseCIDR(range));

/**
 * The IPv4 address an IPv6 address embeds and may reach through a translator or tunnel: IPv4-compatible
 * (`::127.0.0.1`), IPv4-mapped (`::ffff:`), NAT64 and IPv4-translated, 6to4 (2002::/16) and Teredo's client
 * (2001::/32, stored inverted). A policy judges that IPv4 address too, as if it had been given.
 */
function embeddedIPv4(address: Address): ipaddr.IPv4 | undefined {
	if (address.kind() !== 'ipv6') return undefined;
	const v6 = address as ipaddr.IPv6;
	const bytes = v6.toByteArray();
	const ipv4At = (offset: number, invert = false) =>
		new ipaddr.IPv4(bytes.slice(offset, offset + 4).map((byte) => (invert ? byte ^ 0xff : byte)));
	const [first, second] = v6.parts;
	if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
	const compatible = v6.parts.slice(0, 6).every((part) => part === 0) && (v6.parts[6] !== 0 || v6.parts[7] > 1); // not :: or ::1
	if (compatible || NAT64.some((range) => v6.match(range))) return ipv4At(12);
	if (first === 0x2002) return ipv4At(2);
	if (first === 0x2001 && second === 0) return ipv4At(12, true);
	return undefined;
}

function inRange(address: Address, [network, bits]: [Address, number]): boolean {
	const plain = unmapped(address);
	return plain.kind() === network.kind() && plain.match(network, bits);
}

/** Cloud metadata services outside the link-local range (AWS over IPv6, Alibaba Cloud). */
const METADATA_ADDRESSES = ['fd00:ec2::254', '100.100.100.200'].map((text) => ipaddr.parse(text));

/** ipaddr.js range names as an error message says them. */
const RANGE_NAMES: Record<string, string> = {
	linkLocal: 'link-local',
	carrierGradeNat: 'carrier-grade NAT',
	uniqueLocal: 'unique-local',
	ipv4Mapped: 'IPv4-mapped',
	rfc6052: 'NAT64',
	rfc6145: 'IPv4-translated',
};
const inRangeText = (text: string, range: string) => `${text} is in the ${RANGE_NAMES[range] ?? range} range`;

/** Media: only public unicast addresses (this refuses loopback, private, link-local, CGNAT, ULA, multicast, unspecified, IPv4-mapped, NAT64, …). */
function mediaRefusal(address: Address, text: string): string | undefined {
	const range = address.range();
	return range === 'unicast' ? undefined : inRangeText(text, range);
}

/** Webhooks may go to a private network (n8n beside the gateway), never to this host, link-local or a metadata service. */
const WEBHOOK_REFUSED_RANGES = new Set(['loopback', 'linkLocal', 'unspecified', 'multicast', 'broadcast']);
function webhookRefusal(address: Address, text: string): string | undefined {
	const plain = unmapped(address);
	if (METADATA_ADDRESSES.some((metadata) => metadata.kind() === plain.kind() && metadata.toString() === plain.toString())) {
		return `${text} is a cloud metadata address`;
	}
	const range = plain.range();
	return WEBHOOK_REFUSED_RANGES.has(range) ? inRangeText(text, range) : undefined;
}

/** Longer URLs are refused outright (browsers and most servers stop around here too). */
const MAX_URL_LENGTH = 2048;

/** "localhost" and "*.localhost" always mean this host (RFC 6761), whatever a resolver says. */
const LOOPBACK_NAME = /(^|\.)localhost\.?$/;

/**
 * Where the gateway may connect for one purpose. Checked twice: the URL before anything is queued (`checkUrl`,
 * no DNS), and every resolved address right before connecting (`refusal`, used by the fetch's lookup).
 */
export class OutboundPolicy {
	private readonly rules: HostRule[];

	private constructor(
		readonly purpose: 'media' | 'webhook',
		private readonly defaultRefusal: (address: Address, text: string) => string | undefined,
		allowedHosts: string[],
		/** True: only listed hosts (WEBHOOK_ALLOWED_HOSTS narrows); false: listed hosts in addition (MEDIA_ALLOWED_HOSTS opens). */
		private readonly onlyListed: boolean,
		private readonly setting: string,
	) {
		this.rules = allowedHosts.filter((entry) => entry.trim()).map(hostRule);
	}

	static media(allowedHosts: string[]): OutboundPolicy {
		return new OutboundPolicy('media', mediaRefusal, allowedHosts, false, 'MEDIA_ALLOWED_HOSTS');
	}

	static webhook(allowedHosts: string[]): OutboundPolicy {
		return new OutboundPolicy(
			'webhook',
			webhookRefusal,
			allowedHosts,
			allowedHosts.some((entry) => entry.trim()),
			'WEBHOOK_ALLOWED_HOSTS',
		);
	}

	/** The parsed URL, or OutboundRefused: only http(s), and a literal or loopback-named host is judged now. */
	checkUrl(raw: string): URL {
		if (raw.length > MAX_URL_LENGTH) throw new OutboundRefused('the URL', `it has ${raw.length} characters, more than ${MAX_URL_LENGTH}`);
		let url: URL;
		try {
			url = new URL(raw);
		} catch {
			// Refused with the value that is not a URL: that is the whole cause.
			throw new OutboundRefused('the URL', `"${raw.slice(0, 100)}" is not a URL`);
		}
		const where = `${url.protocol}//${url.host}`;
		if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefused(where, 'only http and https URLs are fetched');
		if (url.username || url.password) throw new OutboundRefused(where, 'URLs with a user name or password are not fetched');
		const host = hostname(url);
		const literal = ipaddr.isValid(host) ? ipaddr.parse(host) : LOOPBACK_NAME.test(host) ? ipaddr.parse('127.0.0.1') : undefined;
		const reason = literal ? this.refusal(host, ipaddr.isValid(host) ? host : literal.toString()) : this.nameRefusal(host);
		if (reason) throw new OutboundRefused(where, reason);
		return url;
	}

	/** Why connecting to `address` (resolved for `host`) is refused, or undefined when it is allowed. */
	refusal(host: string, address: string): string | undefined {
		if (this.rules.some((rule) => 'name' in rule && rule.name === host.toLowerCase())) return undefined;
		const parsed = ipaddr.parse(address);
		if (this.rules.some((rule) => 'range' in rule && inRange(parsed, rule.range))) return undefined;
		const subject = address === host ? address : `${host} resolves to ${address}, which`;
		if (this.onlyListed) return `${subject} is not listed in ${this.setting}`;
		const embedded = embeddedIPv4(parsed);
		// The embedded IPv4 first: it is what a translator or tunnel would reach, so the refusal names it.
		const reason =
			(embedded && this.defaultRefusal(embedded, `${subject} embeds ${embedded}, which`)) ?? this.defaultRefusal(parsed, subject);
		return reason && `${reason}; list the host in ${this.setting} if this is intended`;
	}

	/** A name not yet resolved: refused now only when the allow-list narrows and cannot match it by address either. */
	private nameRefusal(host: string): string | undefined {
		if (!this.onlyListed || this.rules.some((rule) => 'range' in rule || rule.name === host)) return undefined;
		return `${this.setting} does not list ${host}`;
	}
}

/** The URL's host without IPv6 brackets, lower case. */
function hostname(url: URL): string {
	return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
