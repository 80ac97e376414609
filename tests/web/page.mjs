// page.mjs: recweb's page in a real browser, Debian's chromium driven
// headless by playwright-core.  test_webpage.sh starts jackd, siggen,
// recd and recweb and runs one step at a time:
//   node page.mjs STEP BASE_URL [ARGS...]
// Steps that must survive something the shell does (a restart of recd)
// print "ready" and wait for a line on stdin.  Every step checks that the
// page fetched nothing from anywhere but recweb.  Exits 1 with the first
// fault.
import { chromium } from 'playwright-core';
import readline from 'node:readline';

const [step, base, ...args] = process.argv.slice(2);
const SECOND = 1000;

function fail(msg) {
	console.error(`page.mjs ${step}: ${msg}`);
	process.exit(1);
}

async function browse(cred, viewport = { width: 1280, height: 800 }) {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu'],
	});
	const ctx = await browser.newContext({
		viewport,
		httpCredentials: cred ? { username: cred.split(':')[0],
		    password: cred.split(':').slice(1).join(':') } : undefined,
	});
	const page = await ctx.newPage();
	page.on('pageerror', (e) => fail(`the page threw: ${e.message}`));
	// Everything the page asks for, WebSockets included.
	const urls = [];
	page.on('request', (r) => urls.push(r.url()));
	page.on('websocket', (ws) => urls.push(ws.url()));
	await page.goto(base + '/');
	await page.waitForFunction(() => document.body.dataset.conn === 'up',
	    null, { timeout: 10 * SECOND });
	// Ends the step: every URL was recweb's (data: is fetched from
	// nowhere).
	const done = async () => {
		const host = new URL(base).host;
		const away = urls.filter((u) => !u.startsWith('data:') &&
		    !(/^(http|ws):$/.test(new URL(u).protocol) &&
		    new URL(u).host === host));
		if (away.length > 0)
			fail(`fetched from elsewhere: ${away.join(' ')}`);
		if (!urls.some((u) => u.startsWith('ws:')))
			fail(`no WebSocket among ${urls.join(' ')}`);
		await browser.close();
		return urls.length;
	};
	return { browser, page, done };
}

// Waits until every channel has a peak, and returns those peaks: read
// once, in the page (the page empties them when it connects again).
async function peaks(page, n) {
	const h = await page.waitForFunction((k) => {
		const p = window.recweb ? window.recweb.peaks : [];
		return p.length === k && p.every((v) => typeof v === 'number') ?
		    p : null;
	}, n, { timeout: 10 * SECOND });
	return h.jsonValue();
}

function stdinLine() {
	const rl = readline.createInterface({ input: process.stdin });
	return new Promise((r) => rl.once('line', (l) => { rl.close(); r(l); }));
}

const steps = {
	// A viewer: meters that follow siggen -t's swell (-30 to -6 dBFS every
	// 4 s), the port names, the status as recd has it (JACK's RATE and
	// PERIOD), and no controls.
	async viewer(cred, nch, rate, period) {
		const n = Number(nch);
		const { page, done } = await browse(cred);
		const role = await page.textContent('#role');
		if (!/viewer/.test(role))
			fail(`#role says ${role}`);
		if (await page.isVisible('#controls'))
			fail('a viewer sees the controls');
		const state = await page.textContent('#state');
		if (state !== 'recording')
			fail(`#state is "${state}"`);
		const ms = (1000 * period / rate).toFixed(1);
		const want = {
			jack: new RegExp(`^connected, ${rate} Hz, period ${period} frames \\(${ms} ms\\)$`),
			format: new RegExp(`^${n} channels, single, pcm24$`),
			take: /^started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d\d:\d\d:\d\d$/,
			// -N: a new file after an xrun's gap in the same second;
			// and until the flusher has finished the file before
			// it, both are listed.
			files: /^(recd-\d{8}-\d{6}(-\d+)?\.wav\.partial)+$/,
			gaps: /^\d+(, .* missing)?$/,
			drops: /^0 frames$/,
			xruns: /^\d+$/,
			ring: /^\d+\.\d % of [\d.]+ [KMG]i?B, at most \d+\.\d %$/,
			disk: /^[\d.]+ [KMGT]i?B in .*rec$/,
			alarms: /^none$/,
			// This page is a viewer on the read-only socket.
			clients: /^\d+ steering, [1-9]\d* watching$/,
		};
		const shown = {};
		for (const [id, re] of Object.entries(want)) {
			shown[id] = (await page.textContent('#' + id)).trim();
			if (!re.test(shown[id]))
				fail(`#${id} says "${shown[id]}", not ${re}`);
		}
		const names = await page.evaluate(() => window.recweb.names.slice());
		if (names.length !== n || !/tone:out_01|in_1/.test(names[0]))
			fail(`names: ${JSON.stringify(names)}`);
		// Over 4.5 s the swell goes through its range on every channel.
		const lo = Array(n).fill(0), hi = Array(n).fill(-200);
		for (let t = 0; t < 45; t++) {
			const p = await peaks(page, n);
			p.forEach((v, c) => {
				if (v > -5 && process.env.DEBUG)
					console.error(`t=${t} ch${c + 1}: ${JSON.stringify(p)}`);
				lo[c] = Math.min(lo[c], v);
				hi[c] = Math.max(hi[c], v);
			});
			await page.waitForTimeout(100);
		}
		for (let c = 0; c < n; c++)
			if (lo[c] < -32 || hi[c] > -5 || hi[c] - lo[c] < 12)
				fail(`channel ${c + 1} moved from ${lo[c]} to ${hi[c]} dBFS, not with the swell (-30 to -6)`);
		const clips = await page.evaluate(() => window.recweb.clips.slice());
		if (clips.some((x) => x))
			fail(`clip lamps lit without a clip: ${JSON.stringify(clips)}`);
		const k = await done();
		console.log(`viewer: ${n} meters; channel 1 from ${lo[0]} to ${hi[0]} dBFS; no controls; ` +
		    `jack "${shown.jack}", files "${shown.files}", gaps "${shown.gaps}"; ` +
		    `${k} URLs, all recweb's`);
	},
	// A clip on the last channel lights its lamp, and only its.
	async clip(cred, nch) {
		const n = Number(nch);
		const { page, done } = await browse(cred);
		await peaks(page, n);
		console.log('ready');
		await stdinLine();		// the shell connected a hot signal
		await page.waitForFunction((k) => window.recweb.clips[k - 1],
		    n, { timeout: 10 * SECOND });
		const clips = await page.evaluate(() => window.recweb.clips.slice());
		if (clips.slice(0, n - 1).some((x) => x))
			fail(`other lamps lit: ${JSON.stringify(clips)}`);
		console.log(`clip: the lamp of channel ${n} lit, no other`);
		await done();
	},
	// An operator: mark, stop (confirmed), start, rotate.
	async operator(cred) {
		const { page, done } = await browse(cred);
		const role = await page.textContent('#role');
		if (!/operator/.test(role))
			fail(`#role says ${role}`);
		await page.fill('#mark-label', 'from the browser');
		await page.click('#mark');
		await page.waitForSelector('#events li:has-text("mark")',
		    { timeout: 10 * SECOND });
		await page.click('#stop');
		// Not yet: stop asks first.
		await page.waitForTimeout(300);
		if ((await page.textContent('#state')) !== 'recording')
			fail('stop did not ask for confirmation');
		await page.click('#stop-yes');
		await page.waitForFunction(() =>
		    document.querySelector('#state').textContent === 'idle', null,
		    { timeout: 10 * SECOND });
		await page.click('#start');
		await page.waitForFunction(() =>
		    document.querySelector('#state').textContent === 'recording',
		    null, { timeout: 10 * SECOND });
		// The take begins with recd's next period: rotate once it has.
		await page.waitForSelector('#events li:has-text("take_started")',
		    { timeout: 10 * SECOND });
		await page.click('#rotate');
		await page.waitForSelector('#events li:has-text("file_closed")',
		    { timeout: 10 * SECOND });
		const err = await page.textContent('#error');
		if (err.trim() !== '')
			fail(`#error says ${err}`);
		console.log('operator: marked, stopped after confirming, started, rotated');
		await done();
	},
	// recd restarts, then recweb does: each time the page says it is not
	// connected, then comes back by itself, and its meters move.
	async restart(cred, nch) {
		const n = Number(nch);
		const { page, done } = await browse(cred);
		const said = [];
		for (const who of ['recd', 'recweb']) {
			await peaks(page, n);
			console.log(`ready: ${who}`);
			await page.waitForFunction(() => document.body.dataset.conn === 'down',
			    null, { timeout: 20 * SECOND });
			const s = (await page.textContent('#conn')).trim();
			if (!/not connected/i.test(s))
				fail(`#conn says "${s}" while ${who} is gone`);
			console.log(`down: ${who}: "${s}"`);
			await page.waitForFunction(() => document.body.dataset.conn === 'up',
			    null, { timeout: 30 * SECOND });
			said.push(`${who} gone: "${s}"`);
		}
		await peaks(page, n);
		const k = await done();
		console.log(`restart: ${said.join('; ')}; reconnected each time, meters move; ${k} URLs, all recweb's`);
	},
	// How it looks: the meters fit a 1280x800 tablet, and a screenshot.
	async shot(cred, nch, file) {
		const n = Number(nch);
		const { page, done } = await browse(cred);
		await peaks(page, n);
		await page.waitForTimeout(1500);
		const box = await page.locator('#meters').boundingBox();
		if (box.y + box.height > 800 || box.x + box.width > 1280)
			fail(`the meters reach past 1280x800: ${JSON.stringify(box)}`);
		if (file)
			await page.screenshot({ path: file });
		console.log(`shot: ${n} meters in ${Math.round(box.width)}x${Math.round(box.height)}${file ? ', ' + file : ''}`);
		await done();
	},
};

if (!steps[step])
	fail('no such step');
const guard = setTimeout(() => fail('took over 90 s'), 90 * SECOND);
await steps[step](...args.map((a) => (a === '-' ? undefined : a)));
clearTimeout(guard);
process.exit(0);
