import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core reads its instance settings from N8N_USER_FOLDER when first loaded: give each test run its own.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-whatsapp-test-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
// What nodes log goes to n8n's logger: silent here (tests that look at it capture it: logs.ts), printed in a real n8n.
process.env.N8N_LOG_LEVEL ??= 'silent';
