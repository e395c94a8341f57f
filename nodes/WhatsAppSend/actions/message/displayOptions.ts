/** When the message operations' fields show. */
export const show = (operation: string[]) => ({ show: { resource: ['message'], operation } });
/** Shown for every message operation but Mark as Read. */
export const SENDING = { show: { resource: ['message'] }, hide: { operation: ['markAsRead'] } };

export const interactiveOperations = ['sendButtons', 'sendList', 'sendCtaUrl'];
/** Messages with a body and an optional header and footer; a Flow has no text form, so it is not "interactive" on Lite. */
export const framedOperations = [...interactiveOperations, 'sendFlow'];
