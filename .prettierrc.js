/** n8n-nodes-starter's Prettier settings (as `@n8n/node-cli` scaffolds them), with 140 columns for the one-line property style. */
module.exports = {
	semi: true,
	trailingComma: 'all',
	bracketSpacing: true,
	useTabs: true,
	tabWidth: 2,
	arrowParens: 'always',
	singleQuote: true,
	quoteProps: 'as-needed',
	endOfLine: 'lf',
	printWidth: 140,
};
