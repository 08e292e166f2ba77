// Browser test of the built report site, run by tests/reports/test_site.py.
//
// Serves reports/build on 127.0.0.1, drives Debian's chromium through
// playwright-core (never a downloaded browser), and checks each page in the
// plan: expected cell texts, rendered charts, a working filter, no error on
// the page, and that no request left 127.0.0.1. Writes screenshots and a
// JSON result; exits non-zero on any failure.
//
// usage: node tests/browser.mjs <plan.json> <result.json>
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

const [planPath, resultPath] = process.argv.slice(2);
const plan = JSON.parse(await readFile(planPath, 'utf8'));
const buildDir = path.resolve(plan.build_dir);
const shotDir = path.resolve(plan.screenshot_dir);
await mkdir(shotDir, { recursive: true });

const TYPES = {
	'.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
	'.css': 'text/css', '.json': 'application/json', '.csv': 'text/csv',
	'.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
	'.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.txt': 'text/plain',
	'.parquet': 'application/octet-stream', '.arrow': 'application/octet-stream'
};

async function resolveFile(urlPath) {
	const clean = decodeURIComponent(urlPath.split('?')[0]).replace(/\/+$/, '');
	const base = path.join(buildDir, path.normalize(clean));
	if (!base.startsWith(buildDir)) return null;
	for (const candidate of [base, `${base}.html`, path.join(base, 'index.html')]) {
		try {
			if ((await stat(candidate)).isFile()) return candidate;
		} catch {}
	}
	return null;
}

const server = createServer(async (req, res) => {
	const file = await resolveFile(req.url);
	if (!file) {
		res.writeHead(404);
		res.end('not found');
		return;
	}
	const body = await readFile(file);
	res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
	res.end(body);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rowWith = (page, texts) =>
	texts.reduce((rows, text) => rows.filter({ hasText: text }), page.locator('tr'));

const failures = [];
const external = [];
const result = { origin, pages: [], external, failures, browser_background: [] };
const fail = (msg) => failures.push(msg);

// Every request chromium makes to a host other than loopback (pages, service
// workers, the browser's own background traffic) goes to this proxy on
// 127.0.0.1, which records it and refuses it, so nothing leaves the machine.
// Debian's chromium itself still calls its updater and Google accounts
// whatever the flags: those are refused and listed as browser_background; any
// other proxied request fails the test.
const CANARY = 'http://canary.outcomes.invalid/';
const BROWSER_BACKGROUND =
	/^(https?:\/\/)?(update\.googleapis\.com|accounts\.google\.com|clients\d*\.google\.com|[\w.-]+\.gvt1\.com|safebrowsing\.googleapis\.com|optimizationguide-pa\.googleapis\.com)(:\d+)?(\/|$)/;
const proxied = (url) => {
	if (url === CANARY) result.canary_seen = true;
	else if (BROWSER_BACKGROUND.test(url)) result.browser_background.push(url.split('?')[0]);
	else external.push(url);
};
const proxy = createServer((req, res) => {
	proxied(req.url);
	res.writeHead(403);
	res.end();
});
proxy.on('connect', (req, socket) => {
	proxied(`https://${req.url}`);
	socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
});
await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));

const browser = await chromium.launch({
	executablePath: plan.chromium ?? '/usr/bin/chromium',
	headless: true,
	args: [
		'--no-sandbox', '--disable-gpu', '--disable-background-networking',
		'--disable-component-update', '--no-first-run', '--disable-sync',
		'--disable-default-apps', '--disable-domain-reliability',
		'--metrics-recording-only', '--no-pings',
		// Chrome's own form-autofill lookups (the table search box triggers them).
		'--disable-features=AutofillServerCommunication',
		`--proxy-server=http://127.0.0.1:${proxy.address().port}`
	]
});

function isLocal(url) {
	if (/^(data|blob|about|chrome-error):/.test(url)) return true;
	try {
		return new URL(url).hostname === '127.0.0.1';
	} catch {
		return false;
	}
}

const ERROR_PATTERNS = [
	/Catalog Error/i, /Binder Error/i, /Parser Error/i, /Conversion Error/i, /IO Error/i,
	/HTTP Error/i, /Invalid Input Error/i, /Timeout while initializing/i, /Error in query/i,
	/\b500\b.*Internal Error/i, /404.*Not found/i, /undefined is not/i
];

try {
	const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
	await context.route('**/*', (route) => {
		const url = route.request().url();
		if (isLocal(url)) return route.continue();
		external.push(url);
		return route.abort('blockedbyclient');
	});
	context.on('request', (req) => {
		if (!isLocal(req.url()) && !external.includes(req.url())) external.push(req.url());
	});

	for (const spec of plan.pages) {
		const page = await context.newPage();
		const pageErrors = [];
		page.on('pageerror', (err) => pageErrors.push(String(err)));
		page.on('console', (msg) => {
			if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
		});
		const record = { name: spec.name, url: spec.path, checks: [] };
		result.pages.push(record);
		const started = Date.now();
		const response = await page.goto(origin + spec.path, { waitUntil: 'networkidle' });
		if (!response || response.status() !== 200) fail(`${spec.name}: HTTP ${response?.status()}`);
		// Wait for every expected text (the data arrives after the page shell).
		for (const cell of spec.cells ?? []) {
			// A table row holding every text in cell.row, with one cell showing exactly cell.text.
			try {
				await page.waitForFunction(
					({ texts, text }) =>
						[...document.querySelectorAll('tr')].some((tr) => {
							const cells = [...tr.querySelectorAll('td, th')].map((c) => c.innerText.trim());
							return texts.every((t) => cells.includes(t)) && cells.includes(text);
						}),
					{ texts: cell.row, text: cell.text },
					{ timeout: 30000 }
				);
				record.checks.push(`cell ok: ${cell.row.join(' / ')} -> ${cell.text}`);
			} catch {
				const rows = await rowWith(page, cell.row).allInnerTexts();
				fail(`${spec.name}: no row with ${JSON.stringify(cell.row)} showing "${cell.text}"; rows: ${JSON.stringify(rows.slice(0, 5))}`);
			}
		}
		// A visible row holding every text of .row, with a cell that contains .contains.
		for (const want of spec.rows_containing ?? []) {
			try {
				await page.waitForFunction(
					(spec) =>
						[...document.querySelectorAll('tr')].some((tr) => {
							const cells = [...tr.querySelectorAll('td')]
								.filter((c) => c.checkVisibility())
								.map((c) => c.innerText.trim());
							return spec.row.every((t) => cells.includes(t)) && cells.some((c) => c.includes(spec.contains));
						}),
					want,
					{ timeout: 30000 }
				);
				record.checks.push(`row ok: ${want.row.join(' / ')} contains ${want.contains}`);
			} catch {
				fail(`${spec.name}: no visible row with ${JSON.stringify(want.row)} containing "${want.contains}"`);
			}
		}
		for (const text of spec.texts ?? []) {
			try {
				await page.getByText(text, { exact: false }).first().waitFor({ timeout: 20000 });
				record.checks.push(`text ok: ${text}`);
			} catch {
				fail(`${spec.name}: text "${text}" not shown`);
			}
		}
		// Sidebar links the page must show (an entry for every team and function).
		for (const link of spec.links ?? []) {
			const found = await page.locator(`aside a[href="${link.href}"], aside a[href="${link.href}/"]`).filter({ hasText: link.text }).count();
			if (found > 0) record.checks.push(`link ok: ${link.text} -> ${link.href}`);
			else fail(`${spec.name}: no link "${link.text}" to ${link.href}`);
		}
		// The browser tab carries the page's subject (a team's name).
		if (spec.title_contains) {
			try {
				await page.waitForFunction((t) => document.title.includes(t), spec.title_contains, { timeout: 20000 });
				record.checks.push(`title ok: ${spec.title_contains}`);
			} catch {
				fail(`${spec.name}: browser tab "${await page.title()}" does not name "${spec.title_contains}"`);
			}
		}
		// Texts a page must never show (an empty default chart says "Dataset is empty").
		for (const text of spec.forbid_texts ?? []) {
			if ((await page.locator('body').innerText()).includes(text)) fail(`${spec.name}: shows "${text}"`);
			else record.checks.push(`absent ok: ${text}`);
		}
		// No sideways scrolling at this viewport (1400 px): neither the page nor a table scrolls.
		if (spec.no_sideways_scroll) {
			const wide = await page.evaluate(() => {
				const found = [];
				if (document.documentElement.scrollWidth > window.innerWidth + 1) found.push(`page ${document.documentElement.scrollWidth}px`);
				for (const el of document.querySelectorAll('article *, main *')) {
					const style = getComputedStyle(el);
					if (!['auto', 'scroll'].includes(style.overflowX) || !el.checkVisibility()) continue;
					if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
						found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ${el.scrollWidth}>${el.clientWidth}px`);
				}
				return found;
			});
			if (wide.length) fail(`${spec.name}: scrolls sideways at 1400 px: ${wide.slice(0, 3).join('; ')}`);
			else record.checks.push('no sideways scroll ok');
		}
		// Charts: ECharts draws into a canvas (or svg) inside each chart container.
		const minCharts = spec.min_charts ?? 0;
		if (minCharts > 0) {
			try {
				await page.waitForFunction(
					(n) => [...document.querySelectorAll('canvas')].filter((c) => c.width > 50 && c.height > 50).length >= n,
					minCharts,
					{ timeout: 20000 }
				);
				const drawn = await page.evaluate(() =>
					[...document.querySelectorAll('canvas')].filter((c) => c.width > 50 && c.height > 50).length
				);
				record.charts = drawn;
				record.checks.push(`charts ok: ${drawn}`);
			} catch {
				fail(`${spec.name}: fewer than ${minCharts} charts rendered`);
			}
		}
		record.load_ms = Date.now() - started;
		await page.waitForTimeout(300);
		await page.screenshot({ path: path.join(shotDir, `${spec.name}.png`), fullPage: true });

		if (spec.filter) {
			const f = spec.filter;
			const before = await page.locator(f.scope ?? 'body').innerText();
			try {
				// Evidence's Dropdown: a combobox labelled by its title, options in a popover.
				await page.getByRole('combobox').filter({ hasText: f.open }).first().click();
				// The popover lists five options and virtualizes the rest: type the
				// choice into its search box, as a reader would, to bring it into view.
				await page.getByPlaceholder(f.open, { exact: true }).first().fill(f.choose);
				await page.locator(`[role=option][data-value="${f.choose}"]`).first().click();
				await page.keyboard.press('Escape');
				if (f.expect_row) {
					// A visible row now shows every text of expect_row.
					await page.waitForFunction(
						(texts) =>
							[...document.querySelectorAll('tr')].some((tr) => {
								const cells = [...tr.querySelectorAll('td')]
									.filter((c) => c.checkVisibility())
									.map((c) => c.innerText.trim());
								return texts.every((t) => cells.includes(t));
							}),
						f.expect_row,
						{ timeout: 30000 }
					);
				}
				if (f.gone_text) {
					// No visible table cell shows the text any more.
					await page.waitForFunction(
						(text) =>
							![...document.querySelectorAll('td')].some(
								(c) => c.checkVisibility() && c.innerText.trim() === text
							),
						f.gone_text,
						{ timeout: 30000 }
					);
				}
				// A visible row holding every text of .row, with a cell containing .contains
				// (present: expect_text_in_row; absent: gone_text_in_row).
				const rowContains = ({ spec, present }) =>
					[...document.querySelectorAll('tr')].some((tr) => {
						const cells = [...tr.querySelectorAll('td')]
							.filter((c) => c.checkVisibility())
							.map((c) => c.innerText.trim());
						return spec.row.every((t) => cells.includes(t)) && cells.some((c) => c.includes(spec.contains));
					}) === present;
				// Text outside tables (a paragraph the filter rewrites): shown / no longer shown.
				if (f.expect_text) {
					await page.waitForFunction((t) => document.body.innerText.includes(t), f.expect_text, { timeout: 30000 });
				}
				if (f.gone_body_text) {
					await page.waitForFunction((t) => !document.body.innerText.includes(t), f.gone_body_text, { timeout: 30000 });
				}
				if (f.expect_text_in_row) {
					await page.waitForFunction(rowContains, { spec: f.expect_text_in_row, present: true }, { timeout: 30000 });
				}
				if (f.gone_text_in_row) {
					await page.waitForFunction(rowContains, { spec: f.gone_text_in_row, present: false }, { timeout: 30000 });
				}
				const after = await page.locator(f.scope ?? 'body').innerText();
				if (after === before) fail(`${spec.name}: filter "${f.choose}" changed nothing`);
				else record.checks.push(`filter ok: ${f.choose}`);
			} catch (err) {
				fail(`${spec.name}: filter "${f.choose}" failed: ${String(err).split('\n')[0]}`);
			}
			await page.waitForTimeout(300);
			await page.screenshot({ path: path.join(shotDir, `${spec.name}-filtered.png`), fullPage: true });
		}

		const text = await page.locator('body').innerText();
		for (const pattern of ERROR_PATTERNS) {
			if (pattern.test(text)) fail(`${spec.name}: page shows an error (${pattern})`);
		}
		const relevant = pageErrors.filter((e) => !/favicon/i.test(e));
		if (relevant.length) fail(`${spec.name}: browser errors: ${relevant.slice(0, 3).join(' | ')}`);
		await page.close();
	}
	// Canary: prove the proxy sees what leaves the browser (no route handler here).
	const probe = await (await browser.newContext()).newPage();
	await probe.evaluate((url) => fetch(url, { mode: 'no-cors' }).catch(() => null), CANARY);
	await probe.waitForTimeout(500);
	if (!result.canary_seen) fail('the proxy did not see the canary request: the network check is blind');
} catch (err) {
	fail(`test crashed: ${err?.stack ?? err}`);
} finally {
	await browser.close();
	server.close();
	proxy.close();
}

if (external.length) fail(`requests left 127.0.0.1: ${external.slice(0, 5).join(', ')}`);
await writeFile(resultPath, JSON.stringify(result, null, 2));
if (failures.length) {
	console.error(failures.join('\n'));
	process.exit(1);
}
console.log(`ok: ${result.pages.length} pages, no request left 127.0.0.1`);
