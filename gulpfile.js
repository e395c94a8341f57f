const { src, dest, parallel } = require('gulp');

/** tsc emits only JavaScript: the codex files go beside the built nodes, the icons (one folder, as in n8n-nodes-starter) to dist/icons. */
function copyCodex() {
	return src(['nodes/**/*.node.json']).pipe(dest('dist/nodes'));
}

/** The Redis scripts (`.lua`), read at run time from beside the modules that run them. */
function copyScripts() {
	return src(['contract/**/*.lua', 'nodes/**/*.lua'], { base: '.' }).pipe(dest('dist'));
}

function copyIcons() {
	return src(['icons/*.svg'], { encoding: false }).pipe(dest('dist/icons'));
}

exports['build:icons'] = parallel(copyCodex, copyIcons, copyScripts);
