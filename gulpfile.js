const { src, dest, parallel } = require('gulp');

/** tsc emits only JavaScript: icons and codex files are copied beside the built nodes and credentials. */
function copyNodeAssets() {
	return src(['nodes/**/*.{png,svg,json}'], { encoding: false }).pipe(dest('dist/nodes'));
}

function copyCredentialAssets() {
	return src(['credentials/**/*.{png,svg}'], { encoding: false, allowEmpty: true }).pipe(dest('dist/credentials'));
}

exports['build:icons'] = parallel(copyNodeAssets, copyCredentialAssets);
