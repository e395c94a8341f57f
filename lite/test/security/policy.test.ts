import { OutboundPolicy, OutboundRefused } from '../../src/outbound/policy';

/** The outbound policy on its own: pure checks, no socket is opened by any of them. */
const media = OutboundPolicy.media([]);
const webhook = OutboundPolicy.webhook([]);

const internalAddresses = [
	'127.0.0.1',
	'127.255.0.9',
	'::1',
	'10.1.2.3',
	'172.31.255.255',
	'192.168.0.1',
	'169.254.169.254',
	'100.64.0.1',
	'100.100.100.200',
	'fc00::1',
	'fd00:ec2::254',
	'fe80::1',
	'224.0.0.251',
	'ff02::1',
	'0.0.0.0',
	'::',
	'::ffff:127.0.0.1',
	'::ffff:10.0.0.1',
	'64:ff9b::a00:1',
	'255.255.255.255',
];

it.each(internalAddresses)('media refuses %s', (address) => {
	expect(media.refusal('some.host', address)).toContain(address);
});

it.each(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'])('media accepts the public address %s', (address) => {
	expect(media.refusal('some.host', address)).toBeUndefined();
});

it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1', '169.254.169.254', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '0.0.0.0', '::'])(
	'webhooks refuse %s',
	(address) => {
		expect(webhook.refusal('some.host', address)).toBeDefined();
	},
);

it.each(['10.0.0.5', '172.18.0.3', '192.168.1.20', 'fd12::5', '93.184.215.14'])(
	'webhooks accept %s (n8n may sit on a private network)',
	(address) => {
		expect(webhook.refusal('n8n', address)).toBeUndefined();
	},
);

/** IPv6 forms that embed an IPv4 address a translator or tunnel reaches: each judged as that IPv4 address too (issue 21). */
const embeddingLoopbackOrMetadata = [
	['IPv4-compatible', '::127.0.0.1'],
	['IPv4-compatible metadata', '::a9fe:a9fe'],
	['IPv4-mapped', '::ffff:127.0.0.1'],
	['NAT64', '64:ff9b::7f00:1'],
	['local-use NAT64', '64:ff9b:1::7f00:1'],
	['IPv4-translated', '::ffff:0:7f00:1'],
	['6to4', '2002:7f00:1::1'],
	['Teredo (client inverted)', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
];

it.each(embeddingLoopbackOrMetadata)('media and webhooks refuse the %s address %s, in a URL too', (_, address) => {
	expect(media.refusal('some.host', address)).toBeDefined();
	expect(webhook.refusal('some.host', address)).toBeDefined();
	expect(() => webhook.checkUrl(`http://[${address}]/hook`)).toThrow(OutboundRefused);
	expect(() => media.checkUrl(`http://[${address}]/a.jpg`)).toThrow(OutboundRefused);
});

it('names the embedded address in the refusal', () => {
	expect(webhook.refusal('some.host', '::127.0.0.1')).toContain('embeds 127.0.0.1');
});

it('judges literal hosts in the URL without resolving anything, and names only the origin in its error', () => {
	for (const url of [
		'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
		'http://[::ffff:a9fe:a9fe]/latest',
		'http://2852039166/latest',
		'http://0xa9.0xfe.0xa9.0xfe/latest',
	]) {
		expect(() => media.checkUrl(url)).toThrow(OutboundRefused);
		expect(() => webhook.checkUrl(url)).toThrow(OutboundRefused);
	}
	expect(() => media.checkUrl('http://169.254.169.254/latest/meta-data/iam')).toThrow(
		'http://169.254.169.254 is not allowed: 169.254.169.254 is in the link-local range; list the host in MEDIA_ALLOWED_HOSTS if this is intended',
	);
	expect(() => media.checkUrl('file:///etc/passwd')).toThrow('only http and https');
	expect(() => media.checkUrl('gopher://127.0.0.1:6379/_FLUSHALL')).toThrow('only http and https');
	expect(media.checkUrl('https://cdn.example/a.jpg').hostname).toBe('cdn.example');
});

it('opens listed hosts for media by name, address or range, and narrows webhooks to them', () => {
	const opened = OutboundPolicy.media(['media.internal', '10.9.0.0/16', '192.168.7.7']);
	expect(opened.refusal('media.internal', '127.0.0.1')).toBeUndefined();
	expect(opened.refusal('other', '10.9.3.4')).toBeUndefined();
	expect(opened.refusal('other', '::ffff:10.9.3.4')).toBeUndefined();
	expect(opened.refusal('other', '192.168.7.7')).toBeUndefined();
	expect(opened.refusal('other', '10.8.0.1')).toBeDefined();
	expect(opened.refusal('other', '93.184.215.14')).toBeUndefined();

	const narrowed = OutboundPolicy.webhook(['n8n']);
	expect(narrowed.refusal('n8n', '172.18.0.4')).toBeUndefined();
	expect(narrowed.refusal('elsewhere', '93.184.215.14')).toContain('WEBHOOK_ALLOWED_HOSTS');
	expect(() => narrowed.checkUrl('https://elsewhere.example/hook')).toThrow('WEBHOOK_ALLOWED_HOSTS does not list elsewhere.example');
});
