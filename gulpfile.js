const { src, dest, parallel } = require('gulp');

/** tsc emits only JavaScript: the codex files go beside the built nodes, the icons (one folder, as in n8n-nodes-starter) to dist/icons. */
function copyCodex() {
	return src(['nodes/**/*.node.json']).pipe(dest('dist/nodes'));
}

function copyIcons() {
	return src(['icons/*.svg'], { encoding: false }).pipe(dest('dist/icons'));
}

exports['build:icons'] = parallel(copyCodex, copyIcons);
