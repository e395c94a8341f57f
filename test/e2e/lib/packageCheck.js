'use strict';
/**
 * Static checks of the package as npm installed it into $N8N_USER_FOLDER/.n8n/nodes: every file the `n8n`
 * section of package.json lists is there and loads, every icon a node or credential points at is there, every
 * icon/codex file of the source tree was copied into dist/, and every credential a node asks for is one the
 * package ships. The node and credential names found here are what the n8n process is then expected to show.
 */
const fs = require('node:fs');
const path = require('node:path');

/** 'file:whatsapp.svg' or { light, dark } → the files, relative to the node/credential file's folder. */
function iconFiles(icon) {
	if (!icon) return [];
	const values = typeof icon === 'string' ? [icon] : Object.values(icon);
	return values.filter((value) => typeof value === 'string' && value.startsWith('file:')).map((value) => value.slice('file:'.length));
}

function walk(dir, predicate, found = []) {
	if (!fs.existsSync(dir)) return found;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) walk(full, predicate, found);
		else if (predicate(full)) found.push(full);
	}
	return found;
}

function loadClass(file, kind) {
	const exported = require(file);
	for (const candidate of Object.values(exported)) {
		if (typeof candidate !== 'function') continue;
		const instance = new candidate();
		if (kind === 'nodes' && instance.description?.name) return instance;
		if (kind === 'credentials' && instance.name && Array.isArray(instance.properties)) return instance;
	}
	throw new Error(`exports no ${kind === 'nodes' ? 'node' : 'credential'} class`);
}

/**
 * @param installedDir the installed package's folder (…/.n8n/nodes/node_modules/<name>)
 * @param repoRoot the source checkout, to compare the assets copied into dist/
 * @returns { missing: [{kind, file}], problems: [string], nodes: [{file, name, displayName, icons, credentials}], credentials: [{file, name, icons}] }
 */
function checkInstalledPackage(installedDir, repoRoot) {
	const pkg = JSON.parse(fs.readFileSync(path.join(installedDir, 'package.json'), 'utf8'));
	const result = { missing: [], problems: [], nodes: [], credentials: [] };
	if (!pkg.n8n) {
		result.problems.push('the installed package.json has no "n8n" section');
		return result;
	}
	if (!(pkg.keywords ?? []).includes('n8n-community-node-package'))
		result.problems.push('package.json lacks the keyword n8n-community-node-package');

	for (const kind of ['credentials', 'nodes']) {
		for (const file of pkg.n8n[kind] ?? []) {
			const full = path.join(installedDir, file);
			if (!fs.existsSync(full)) {
				result.missing.push({ kind, file });
				continue;
			}
			let instance;
			try {
				instance = loadClass(full, kind);
			} catch (error) {
				result.problems.push(`${file} cannot be loaded: ${error.message.split('\n')[0]}`);
				continue;
			}
			const description = kind === 'nodes' ? instance.description : instance;
			const icons = iconFiles(description.icon);
			if (icons.length === 0 && !description.iconUrl) result.problems.push(`${file}: ${description.name} has no icon`);
			for (const icon of icons) {
				const iconPath = path.resolve(path.dirname(full), icon);
				if (!fs.existsSync(iconPath))
					result.problems.push(`${file}: icon ${icon} is not in the installed package (${path.relative(installedDir, iconPath)})`);
				else if (!iconPath.startsWith(installedDir + path.sep)) result.problems.push(`${file}: icon ${icon} points outside the package`);
			}
			const entry = { file, name: description.name, displayName: description.displayName, icons };
			if (kind === 'nodes') {
				entry.credentials = (description.credentials ?? []).map((credential) => credential.name);
				result.nodes.push(entry);
			} else {
				result.credentials.push(entry);
			}
		}
	}

	const shipped = new Set(result.credentials.map((credential) => credential.name));
	const missingCredentialFiles = result.missing.some((entry) => entry.kind === 'credentials');
	for (const node of result.nodes) {
		for (const name of node.credentials) {
			if (!shipped.has(name) && !missingCredentialFiles)
				result.problems.push(`${node.file}: asks for credential type "${name}", which the package does not ship`);
		}
	}

	// Icons and codex files next to the sources must have been copied into dist/ (the gulp step).
	for (const folder of ['nodes', 'credentials', 'icons']) {
		const assets = walk(path.join(repoRoot, folder), (file) => /\.(svg|png|json)$/.test(file));
		for (const asset of assets) {
			const relative = path.relative(repoRoot, asset);
			if (!fs.existsSync(path.join(installedDir, 'dist', relative)))
				result.problems.push(`${relative} was not copied to dist/${relative} in the packed package`);
		}
	}
	return result;
}

module.exports = { checkInstalledPackage };
