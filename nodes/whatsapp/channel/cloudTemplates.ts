import { invalidInput } from '../../../contract/errors';
import type { HttpRequest } from './http';

/** A message template as `GET /<waba-id>/message_templates` lists it (the fields this package asks for). */
export interface MetaTemplate {
	id?: string;
	name: string;
	language: string;
	status: string;
	category?: string;
	parameter_format?: 'POSITIONAL' | 'NAMED';
	components: MetaTemplateComponent[];
	/**
	 * The template's time-to-live, where a listing carries it. Not in FIELDS: Meta documents it as set on the template,
	 * not as a field to read, and the Graph API refuses a listing that asks for a field it lacks.
	 */
	message_send_ttl_seconds?: number;
}

export interface MetaTemplateButton {
	type: string;
	text?: string;
	url?: string;
	phone_number?: string;
	/** Authentication templates: COPY_CODE, ONE_TAP or ZERO_TAP (Meta lists such buttons as URL or OTP). */
	otp_type?: string;
	/** FLOW buttons: the Flow they open, and its first screen. */
	flow_id?: string;
	navigate_screen?: string;
}

export interface MetaTemplateComponent {
	type: string;
	format?: string;
	text?: string;
	buttons?: MetaTemplateButton[];
	/** CAROUSEL: the cards, each with its own HEADER (image or video), BODY and BUTTONS. */
	cards?: Array<{ components: MetaTemplateComponent[] }>;
	/** LIMITED_TIME_OFFER: the offer's headline, and whether the send gives an expiration time. */
	limited_time_offer?: { text?: string; has_expiration?: boolean };
}

type GraphCall = <T>(request: Omit<HttpRequest, 'url'> & { path: string }) => Promise<T>;

interface TemplatePage {
	data?: MetaTemplate[];
	paging?: { cursors?: { after?: string }; next?: string };
}

const FIELDS = 'id,name,language,status,category,parameter_format,components';
const PAGE_SIZE = 100;
/** A guard against a paging loop; 100 pages of 100 is far above Meta's per-account template limit. */
const MAX_PAGES = 100;

/** Every message template of the WhatsApp Business Account, following Meta's cursor paging to the last page. */
export async function listAllTemplates(call: GraphCall, businessAccountId: string | undefined): Promise<MetaTemplate[]> {
	if (!businessAccountId?.trim()) {
		throw invalidInput(
			'WhatsApp Business Account ID',
			businessAccountId ?? '',
			'is empty in the WhatsApp Cloud API credential, so the templates cannot be listed',
			'Enter the WABA ID (WhatsApp Manager → Account tools → Phone numbers, or Business Settings → WhatsApp Accounts) in the credential',
		);
	}
	const templates: MetaTemplate[] = [];
	let after: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const answer = await call<TemplatePage>({
			method: 'GET',
			path: `${businessAccountId.trim()}/message_templates`,
			qs: { fields: FIELDS, limit: PAGE_SIZE, ...(after && { after }) },
		});
		templates.push(...(answer.data ?? []));
		after = answer.paging?.cursors?.after;
		if (!answer.paging?.next || !after || !answer.data?.length) break;
	}
	return templates;
}
