// bridge.mjs: recweb's HTTP and WebSocket paths from a real client (the
// ws package), hostile input included.  test_web.sh starts jackd, siggen,
// recd and recweb, and runs one check at a time:
//   node bridge.mjs CHECK BASE_URL [ARGS...]
// It prints what it saw and exits 1 with the first fault.
import fs from 'node:fs';
import net from 'node:net';
import WebSocket from 'ws';

const [check, base, ...args] = process.argv.slice(2);
const wsUrl = base.replace(/^http/, 'ws') + '/ws';

function fail(msg) {
	console.error(`bridge.mjs ${check}: ${msg}`);
	process.exit(1);
}

function deadline(ms, what) {
	return setTimeout(() => fail(`timed out after ${ms} ms: ${what}`), ms);
}

// A WebSocket with its messages as a queue: next(pred) waits for one.
function open(headers = {}) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(wsUrl, 'recd', { headers });
		const queue = [], waiters = [];
		ws.on('message', (data) => {
			const m = JSON.parse(data.toString());
			queue.push(m);
			for (const w of waiters.splice(0))
				w();
		});
		ws.next = async (pred, ms = 5000, what = 'a message') => {
			const t = deadline(ms, what);
			for (;;) {
				const i = queue.findIndex(pred);
				if (i >= 0) {
					clearTimeout(t);
					return queue.splice(i, 1)[0];
				}
				await new Promise((r) => waiters.push(r));
			}
		};
		ws.closed = new Promise((r) => ws.on('close', (code, why) =>
		    r({ code, why: why.toString() })));
		ws.on('open', () => resolve(ws));
		ws.on('unexpected-response', (req, res) => {
			res.resume();
			req.destroy();
			reject(new Error(`HTTP ${res.statusCode}`));
		});
		ws.on('error', reject);
	});
}

function basic(cred) {
	return { Authorization: 'Basic ' + Buffer.from(cred).toString('base64') };
}

async function request(ws, id, cmd, extra = {}) {
	ws.send(JSON.stringify({ id, cmd, ...extra }));
	return ws.next((m) => m.id === id, 5000, `the reply to ${cmd}`);
}

const checks = {
	// A viewer: greeted as one, watches, and is refused what changes.
	async viewer(cred) {
		const ws = await open(cred ? basic(cred) : {});
		const b = await ws.next((m) => m.event === 'bridge');
		if (b.role !== 'viewer')
			fail(`greeted as ${JSON.stringify(b)}`);
		const h = await ws.next((m) => m.event === 'hello');
		const st = await request(ws, 1, 'status');
		if (!st.result || !st.result.state)
			fail(`status: ${JSON.stringify(st)}`);
		for (const [id, cmd, extra] of [[2, 'stop'],
		    [3, 'set', { key: 'rotate_seconds', value: 5 }],
		    [4, 'mark', { label: 'x' }], [5, 'start'], [6, 'rotate']]) {
			const r = await request(ws, id, cmd, extra);
			if (!r.error || r.error.code !== 'read_only')
				fail(`${cmd} as a viewer: ${JSON.stringify(r)}`);
		}
		// Two requests smuggled in one message are one bad line.
		ws.send('{"id":7,"cmd":"status"}\n{"id":8,"cmd":"stop"}');
		const r = await ws.next((m) => m.id === 7 || m.id === 8 ||
		    m.id === null);
		if (r.result)
			fail(`two lines in one message were taken: ${JSON.stringify(r)}`);
		const st2 = await request(ws, 9, 'status');
		if (st2.result.state !== 'recording')
			fail(`recd stopped for a viewer: ${JSON.stringify(st2)}`);
		console.log(`viewer: ${h.channels} channels, refused stop, set, mark, start, rotate`);
		ws.close();
	},
	// An operator steers: mark, rotate, and levels arrive.
	async operator(cred, bearer) {
		const hdr = bearer ? { Authorization: 'Bearer ' + bearer } :
		    basic(cred);
		const ws = await open(hdr);
		const b = await ws.next((m) => m.event === 'bridge');
		if (b.role !== 'operator')
			fail(`greeted as ${JSON.stringify(b)}`);
		await ws.next((m) => m.event === 'hello');
		const r = await request(ws, 1, 'mark', { label: 'from the web' });
		if (!r.result)
			fail(`mark: ${JSON.stringify(r)}`);
		await request(ws, 2, 'subscribe', { stream: 'levels', rate_hz: 30 });
		const l = await ws.next((m) => m.event === 'levels');
		if (!Array.isArray(l.peak_dbfs))
			fail(`levels: ${JSON.stringify(l)}`);
		console.log(`operator ${b.user}: marked; levels of ${l.peak_dbfs.length} channels, ` +
		    `the first ${JSON.stringify(l.peak_dbfs.slice(0, 2))}`);
		ws.close();
	},
	// Bad credentials: no page, no WebSocket.
	async badauth(cred) {
		for (const h of [{}, basic(cred), { Authorization: 'Bearer nope-nope-nope-nope' },
		    { Authorization: 'Basic !!!' }]) {
			const res = await fetch(base + '/', { headers: h });
			if (res.status !== 401 || !/Basic/.test(res.headers.get('www-authenticate')))
				fail(`${JSON.stringify(h)}: HTTP ${res.status}`);
			try {
				await open(h);
				fail(`a WebSocket with ${JSON.stringify(h)}`);
			} catch (e) {
				if (e.message !== 'HTTP 401')
					fail(`a WebSocket with ${JSON.stringify(h)}: ${e.message}`);
			}
		}
		console.log('badauth: 401 for the page, no WebSocket, for 4 kinds of bad credentials');
	},
	// A page of another site may not open a WebSocket here.
	async origin(cred) {
		const h = { ...(cred ? basic(cred) : {}), Origin: 'http://evil.example' };
		try {
			await open(h);
			fail('a WebSocket from another origin');
		} catch (e) {
			if (e.message !== 'HTTP 403')
				fail(`another origin: ${e.message}`);
		}
		console.log('origin: refused (403)');
	},
	// A message past recd's line limit closes the WebSocket (1009).
	async oversized(cred) {
		const ws = await open(cred ? basic(cred) : {});
		await ws.next((m) => m.event === 'hello');
		ws.send('{"id":1,"cmd":"status","x":"' + 'a'.repeat(70000) + '"}');
		const c = await ws.closed;
		if (c.code !== 1009)
			fail(`closed with ${c.code} ${c.why}`);
		// And a binary one.
		const ws2 = await open(cred ? basic(cred) : {});
		await ws2.next((m) => m.event === 'hello');
		ws2.send(Buffer.from('{"id":1,"cmd":"status"}'));
		const c2 = await ws2.closed;
		if (c2.code !== 1003)
			fail(`binary: closed with ${c2.code} ${c2.why}`);
		console.log(`oversized: closed ${c.code} (${c.why}); binary: ${c2.code}`);
	},
	// A flood of connections: at most 64 WebSockets, the rest refused,
	// and then (once they close) service as before.
	async flood(cred) {
		const h = cred ? basic(cred) : {};
		const socks = [];
		for (let i = 0; i < 300; i++) {
			const s = net.connect(new URL(base).port, new URL(base).hostname);
			s.on('error', () => {});
			socks.push(s);
		}
		const open64 = [];
		let refused = 0;
		for (let i = 0; i < 70; i++) {
			try {
				open64.push(await open(h));
			} catch (e) {
				if (e.message !== 'HTTP 503')
					fail(`WebSocket ${i + 1}: ${e.message}`);
				refused++;
			}
		}
		if (open64.length !== 64 || refused !== 6)
			fail(`${open64.length} WebSockets open, ${refused} refused`);
		for (const ws of open64)
			ws.close();
		await Promise.all(open64.map((ws) => ws.closed));
		for (const s of socks)
			s.destroy();
		const ws = await open(h);
		await ws.next((m) => m.event === 'hello');
		const st = await request(ws, 1, 'status');
		if (!st.result)
			fail(`after the flood: ${JSON.stringify(st)}`);
		ws.close();
		console.log('flood: 300 idle sockets, 64 WebSockets served, 6 refused, then served again');
	},
	// A browser that never reads: recweb drops its levels, then closes
	// it, and recd does not notice (its other clients are served).
	async noread(cred) {
		const ws = await open(cred ? basic(cred) : {});
		await ws.next((m) => m.event === 'hello');
		ws._socket.pause();		// reads nothing from here on
		ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', stream: 'levels', rate_hz: 60 }));
		// Replies pile up in recweb, at a pace recd itself would take
		// from one client (a burst of thousands recd cuts off itself).
		let id = 10;
		const pump = setInterval(() => {
			for (let i = 0; i < 10; i++)
				ws.send(JSON.stringify({ id: id++, cmd: 'options' }));
		}, 20);
		const t = deadline(30000, 'recweb closing a browser that does not read');
		const probe = await open(cred ? basic(cred) : {});
		await probe.next((m) => m.event === 'hello');
		// recweb gives up on it: its socket ends.
		await new Promise((r) => ws._socket.on('close', r));
		clearInterval(pump);
		clearTimeout(t);
		const st = await request(probe, 1, 'status');
		if (!st.result)
			fail(`the other browser: ${JSON.stringify(st)}`);
		probe.close();
		console.log('noread: closed by recweb; another browser served meanwhile');
	},
	// A browser that reads slowly, in bursts far apart: recweb skips
	// levels for it (their dropped says how many), never a reply or an
	// event, and keeps it open.
	async slow(cred) {
		const ws = await open(basic(cred));
		const replies = new Map();
		let dropped = 0, levels = 0, marks = 0, asked = 0, id = 10;
		ws.on('message', (data) => {
			const m = JSON.parse(data.toString());
			if (m.event === 'levels') {
				levels++;
				dropped += m.dropped;
			} else if (m.event === 'mark' && /^slow /.test(m.label))
				marks++;
			else if (m.id >= 10)
				replies.set(m.id, (replies.get(m.id) || 0) + 1);
		});
		ws.on('close', (code, why) => fail(`closed: ${code} ${why}`));
		await ws.next((m) => m.event === 'hello');
		await request(ws, 1, 'subscribe', { stream: 'events' });
		await request(ws, 2, 'subscribe', { stream: 'levels', rate_hz: 60 });
		const t = deadline(20000, 'levels dropped for a slow browser');
		let rounds = 0;
		while (dropped === 0) {
			ws._socket.pause();
			// Replies fill the socket's buffers; levels then queue
			// in recweb past their share.
			for (let i = 0; i < 32; i++, asked++)
				ws.send(JSON.stringify({ id: id++, cmd: 'options' }));
			ws.send(JSON.stringify({ id: id++, cmd: 'mark', label: `slow ${rounds}` }));
			asked++;
			// A pace, not a wait for something: it reads nothing
			// for a while, as a slow tablet would.
			await new Promise((r) => setTimeout(r, 1000));
			ws._socket.resume();
			await ws.next((m) => m.id === id - 1, 10000, 'the last reply');
			rounds++;
		}
		await ws.next((m) => m.event === 'mark' && m.label === `slow ${rounds - 1}`,
		    5000, 'the last mark event');
		clearTimeout(t);
		for (let i = 10; i < id; i++)
			if (replies.get(i) !== 1)
				fail(`reply ${i}: ${replies.get(i) || 0} times`);
		if (marks !== rounds)
			fail(`${marks} mark events for ${rounds} marks`);
		ws.removeAllListeners('close');
		ws.close();
		console.log(`slow: ${rounds} rounds, every one of ${asked} replies and ` +
		    `${marks} mark events; ${levels} levels, ${dropped} dropped`);
	},
	// Holds a WebSocket open until its stdin closes: who it is on recd's
	// sockets is the test's to see.
	async hold(cred) {
		const ws = await open(cred && cred !== '-' ? basic(cred) : {});
		const b = await ws.next((m) => m.event === 'bridge');
		await ws.next((m) => m.event === 'hello');
		console.log(`holding: ${b.role}`);
		process.stdin.resume();
		await new Promise((r) => process.stdin.on('end', r));
		ws.close();
		await ws.closed;
	},
	// Without a read-only socket: a viewer and /metrics are refused, an
	// operator served.
	async noviewers(viewer, operator) {
		try {
			await open(basic(viewer));
			fail('a viewer\'s WebSocket without a read-only socket');
		} catch (e) {
			if (e.message !== 'HTTP 403')
				fail(`a viewer: ${e.message}`);
		}
		const res = await fetch(base + '/metrics', { headers: basic(operator) });
		if (res.status !== 403)
			fail(`/metrics: HTTP ${res.status}`);
		const ws = await open(basic(operator));
		await ws.next((m) => m.event === 'hello');
		const st = await request(ws, 1, 'status');
		if (!st.result)
			fail(`an operator: ${JSON.stringify(st)}`);
		ws.close();
		console.log('noviewers: a viewer 403, /metrics 403, an operator served');
	},
	// Scrapes of /metrics count against a limit: a recd (a stand-in at
	// PATH) that never answers holds 8, the 9th is refused (503), and
	// once it closes them they end (recd down) and scrapes are served
	// again.
	async scrapes(path) {
		fs.rmSync(path, { force: true });
		const held = [];
		const srv = net.createServer((c) => {
			c.on('error', () => {});
			held.push(c);
		});
		await new Promise((r) => srv.listen(path, r));
		const t = deadline(10000, 'scrapes held, refused and served');
		const pending = [];
		for (let i = 0; i < 8; i++) {
			pending.push(fetch(base + '/metrics').then((r) => r.text()));
			while (held.length <= i)
				await new Promise((r) => srv.once('connection', () => setImmediate(r)));
		}
		const ninth = await fetch(base + '/metrics');
		if (ninth.status !== 503)
			fail(`the 9th scrape: HTTP ${ninth.status}`);
		await ninth.text();
		srv.close();
		for (const c of held)
			c.destroy();
		for (const body of await Promise.all(pending))
			if (!/^recd_up 0$/m.test(body))
				fail(`a held scrape: ${body.slice(0, 200)}`);
		const after = await fetch(base + '/metrics');
		if (after.status !== 200 || !/^recd_up 0$/m.test(await after.text()))
			fail(`after: HTTP ${after.status}`);
		clearTimeout(t);
		console.log('scrapes: 8 held by a silent recd, the 9th refused (503), then served');
	},
	// recd goes: the browser is told, and the WebSocket closes.
	async lost(cred) {
		const ws = await open(cred ? basic(cred) : {});
		await ws.next((m) => m.event === 'hello');
		console.log('ready');
		const l = await ws.next((m) => m.event === 'recd_lost', 20000);
		const c = await ws.closed;
		console.log(`lost: ${l.message}; closed ${c.code} ${c.why}`);
	},
	// Without recd: told at once.
	async norecd(cred) {
		const ws = await open(cred ? basic(cred) : {});
		await ws.next((m) => m.event === 'bridge');
		const l = await ws.next((m) => m.event === 'recd_lost');
		await ws.closed;
		console.log(`norecd: ${l.message}`);
	},
};

if (!checks[check])
	fail('no such check');
await checks[check](...args);
process.exit(0);
