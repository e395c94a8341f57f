'use strict';
/**
 * WhatsApp Send's panel: for each operation (and a few parameter values that switch fields) on each backend, exactly
 * the field labels n8n's editor shows, in order (Backend first, then Resource: Message or Campaign). A field missing
 * here is one that must stay hidden. `liteNotice`: the Lite panel says that WhatsApp Web has no interactive messages.
 */
const COMMON_TAIL = ['Options', 'Delivery'];
const both = (labels) => ({ cloud: ['Backend', ...labels], lite: ['Backend', ...labels] });

const SEND_PANEL = [
	{ operation: 'sendText', labels: both(['Resource', 'Operation', 'Recipient', 'Text', 'Show URL Preview', ...COMMON_TAIL]) },
	{
		operation: 'sendMedia',
		labels: both(['Resource', 'Operation', 'Recipient', 'Media Type', 'Media Source', 'Media Link', 'Caption', ...COMMON_TAIL]),
	},
	{
		operation: 'sendMedia',
		parameters: { mediaType: 'document', mediaSource: 'binary' },
		labels: both([
			'Resource',
			'Operation',
			'Recipient',
			'Media Type',
			'Media Source',
			'Input Binary Field',
			'Caption',
			'File Name',
			...COMMON_TAIL,
		]),
	},
	// Media IDs exist only at Meta: Lite does not offer the source, but a Lite node left on it keeps its Media ID (the
	// run then says that Lite cannot send by media ID).
	{
		operation: 'sendMedia',
		parameters: { mediaType: 'audio', mediaSource: 'id' },
		labels: both(['Resource', 'Operation', 'Recipient', 'Media Type', 'Media Source', 'Media ID', 'Send as Voice Note', ...COMMON_TAIL]),
	},
	{
		operation: 'sendMedia',
		parameters: { mediaType: 'sticker' },
		labels: both(['Resource', 'Operation', 'Recipient', 'Media Type', 'Media Source', 'Media Link', ...COMMON_TAIL]),
	},
	{
		operation: 'sendLocation',
		labels: both(['Resource', 'Operation', 'Recipient', 'Latitude', 'Longitude', 'Place Name', 'Address', ...COMMON_TAIL]),
	},
	{ operation: 'sendContacts', labels: both(['Resource', 'Operation', 'Recipient', 'Contacts', ...COMMON_TAIL]) },
	{
		operation: 'sendButtons',
		liteNotice: true,
		labels: both(['Resource', 'Operation', 'Recipient', 'Body Text', 'Header Text', 'Footer Text', 'Buttons', ...COMMON_TAIL]),
	},
	{
		operation: 'sendList',
		liteNotice: true,
		labels: both([
			'Resource',
			'Operation',
			'Recipient',
			'Body Text',
			'Header Text',
			'Footer Text',
			'List Button Text',
			'Rows',
			...COMMON_TAIL,
		]),
	},
	{
		operation: 'sendCtaUrl',
		liteNotice: true,
		labels: both([
			'Resource',
			'Operation',
			'Recipient',
			'Body Text',
			'Header Text',
			'Footer Text',
			'Button Text',
			'Button URL',
			...COMMON_TAIL,
		]),
	},
	{ operation: 'sendReaction', labels: both(['Resource', 'Operation', 'Recipient', 'Message ID', 'Emoji', ...COMMON_TAIL]) },
	// Marking as read sends nothing to anybody: no recipient, no delivery settings. WhatsApp Web marks a chat, not a message.
	{
		operation: 'markAsRead',
		labels: {
			cloud: ['Backend', 'Resource', 'Operation', 'Message ID', 'Show Typing Indicator'],
			lite: ['Backend', 'Resource', 'Operation', 'Message ID', 'Show Typing Indicator', 'Chat'],
		},
	},
];

/** The credential fields above every panel, per backend: the backend's own, then the optional Redis one. */
const CREDENTIAL_LABELS = {
	cloud: ['Credential for WhatsApp Cloud API', 'Credential for WhatsApp Shared State (Redis, Optional)'],
	lite: ['Credential for WhatsApp Lite Container API', 'Credential for WhatsApp Shared State (Redis, Optional)'],
};

/** Mark as Read's Message ID placeholder per backend: Meta's wamid on Cloud, WhatsApp Web's serialized ID on Lite. */
const MESSAGE_ID_PLACEHOLDERS = { cloud: /^wamid\./, lite: /@c\.us_/ };

module.exports = { SEND_PANEL, CREDENTIAL_LABELS, MESSAGE_ID_PLACEHOLDERS };
