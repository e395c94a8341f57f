/** What a Send panel shows of the Lite gateway's defaults is what the gateway applies when nothing else is given. */
import type { INodeProperties } from 'n8n-workflow';
import { loadConfig } from '../../lite/src/config';
import { deliveryProperties } from '../../nodes/whatsapp/n8n/delivery';

const panel = deliveryProperties({});
const deliveryOption = (name: string) =>
	(panel.find((property) => property.name === 'delivery')?.options as INodeProperties[]).find((option) => option.name === name);
const gateway = loadConfig({});

test("the panel's campaign delays are the gateway's MIN_DELAY_MINUTES and MAX_DELAY_MINUTES defaults", () => {
	expect(deliveryOption('minDelayMinutes')?.default).toBe(gateway.minDelayMinutes);
	expect(deliveryOption('maxDelayMinutes')?.default).toBe(gateway.maxDelayMinutes);
	expect([gateway.minDelayMinutes, gateway.maxDelayMinutes]).toEqual([3, 6]);
});

test("the panel's Lite notice names the gateway's DAILY_QUOTA default", () => {
	expect(panel[0].displayName).toContain(`sends at most ${gateway.dailyQuota} messages a day`);
});
