import type { MetaTemplate } from '../channel/cloudTemplates';
import type { MediaSource, TemplateCard } from '../message';
import { type CardShape, type TemplateShape, templateError } from './metaTemplate';

/**
 * A carousel card's media header. Meta takes every card the template defines, each with its image or video, so a
 * card without one is refused here, naming the card.
 */
export function cardHeader(
	template: MetaTemplate,
	shape: TemplateShape,
	card: CardShape,
	media: MediaSource | undefined,
): TemplateCard['header'] {
	const type = card.headerMedia;
	const placeholder = shape.placeholders.find((candidate) => candidate.card === card.index && candidate.source === 'headerMedia');
	if (type !== 'image' && type !== 'video') {
		throw templateError(
			template,
			`card_${card.index}_media_header`,
			`card ${card.index + 1} has ${type ? `a ${type}` : 'no media'} header, but carousel cards take an image or a video`,
			'Pick a carousel template approved in WhatsApp Manager',
		);
	}
	if (!media) {
		throw templateError(
			template,
			placeholder?.id ?? `card_${card.index}_media_header`,
			`card ${card.index + 1} has ${type === 'image' ? 'an' : 'a'} ${type} header, but no ${type} was given (WhatsApp needs one for every card)`,
			`Map a public link, a media ID or the name of a binary field holding the ${type} to "${placeholder?.label}" under Template Parameters`,
		);
	}
	return { type, media };
}
