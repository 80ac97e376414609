/*
 * app.js: the page that recweb serves.  It speaks recd's control protocol
 * (protocol/PROTOCOL.md) over recweb's WebSocket, one JSON object a message;
 * draws the level meters; shows the status and the recent events; and gives
 * an operator the recording controls.
 *
 * Plain JavaScript, no libraries.  Whatever recd sends (port names, paths,
 * labels) goes on the page as text (textContent), never as HTML.
 */
(function () {
'use strict';

/* ---- Settings ---- */
const LEVELS_HZ = 30;		// levels events a second (recd takes 1..60)
const STATUS_MS = 1000;		// how often status is asked for
const EVENTS_MAX = 50;		// entries the event list keeps
const RETRY_MIN_MS = 500;	// first wait before connecting again, doubled ...
const RETRY_MAX_MS = 5000;	// ... up to this
const QUIET_MS = 8000;		// nothing heard this long: the link is dead
const STALE_MS = 1500;		// no levels this long: the meters say so
const STOP_CONFIRM_MS = 5000;	// how long "Really stop?" waits
const MARK_MAX_BYTES = 255;	// recd's limit for a marker label
const DB_MIN = -70;		// dBFS at the bottom of a meter
const DB_YELLOW = -18;		// bars turn yellow from here
const DB_RED = -6;		// and red from here
const HOLD_MS = 2500;		// a peak hold stays put this long
const FALL_DB_S = 20;		// then falls (and bars fall) this fast
const COLORS = {
	bg: '#101214', track: '#23272b', grid: 'rgba(255,255,255,0.10)',
	text: '#c8ccd0', dim: '#6b7177', lampOff: '#2c3136', lampOn: '#ff2a2a',
	green: '#2fbf4a', yellow: '#e6c229', red: '#f0433a', hold: '#ffffff',
};
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const $ = (id) => document.getElementById(id);

/* ---- State ---- */
const conn = {
	ws: null,		// the WebSocket, or null when there is none
	up: false,		// recd's hello has come on this WebSocket
	attempt: 0,		// failed tries since the last good connection
	retryAt: 0,		// when the next try starts (Date.now() time)
	retryTimer: null,
	lastRx: 0,		// when anything last came
	reason: '',		// why the link is down, in words
	lostMsg: null,		// recd_lost's message, told when the link closes
	nextId: 1,
	pending: new Map(),	// request id -> { cmd, onResult, user }
	statusAt: 0,		// when status was last asked for
	statusOut: false,	// a status request waits for its reply
};
const info = { role: null, user: null, recweb: null, recd: null, rate: 0, state: '' };

/* The meters: each array has one entry per channel. */
const m = {
	n: 0,
	portNames: [],		// from `ports`, or null
	sources: [],		// from `ports`: what feeds each port
	peaks: [],		// the latest peak_dbfs as recd sent it (null: silence)
	clips: [],		// clip lamps, latched until reset
	pending: [],		// the highest peak since the last frame, dBFS
	shown: [],		// what the bar shows now, dBFS
	hold: [],		// the peak hold, dBFS
	holdAt: [],		// when the hold was set (performance.now())
	lastLevels: 0,		// when levels last came
	dropped: 0,		// levels events recd skipped for us
	L: null,		// the layout (computeLayout)
	dirty: true,		// the layout and background must be redone
	bgLive: null,		// whether the background was drawn live or greyed
	lampNumbers: true,	// the lamps say the channel numbers
	lastFrame: 0,
};

/* ---- Small helpers ---- */
const pad2 = (x) => (x < 10 ? '0' : '') + x;
const isNum = (x) => typeof x === 'number' && isFinite(x);
const str = (x) => (x === null || x === undefined ? '?' : String(x));
/* The file name of a path. */
const base = (p) => (typeof p === 'string' ? p.slice(p.lastIndexOf('/') + 1) : 'no file');

/* Seconds as hh:mm:ss (hours may pass 24). */
function hms(s) {
	if (!isNum(s) || s < 0)
		return '--:--:--';
	s = Math.floor(s);
	return pad2(Math.floor(s / 3600)) + ':' + pad2(Math.floor(s / 60) % 60) + ':' + pad2(s % 60);
}

/* A length of time for people: "2.5 s", or hh:mm:ss from a minute on. */
const dur = (s) => (!isNum(s) ? '?' : s < 60 ? s.toFixed(1) + ' s' : hms(s));

/* Bytes in decimal units, as disks are sold. */
function bytes(b) {
	if (!isNum(b))
		return 'unknown';
	return b >= 1e12 ? (b / 1e12).toFixed(2) + ' TB' : b >= 1e9 ?
	    (b / 1e9).toFixed(2) + ' GB' : (b / 1e6).toFixed(1) + ' MB';
}

/* A position in frames, as time when the rate is known. */
const frames = (f) => (!isNum(f) ? '?' : info.rate > 0 ? dur(f / info.rate) : f + ' frames');

/* A number of frames, with their time when the rate is known. */
function framesLong(f) {
	if (!isNum(f) || !(info.rate > 0))
		return str(f) + ' frames';
	const s = f / info.rate;
	return f + ' frames (' + (s < 1 ? (1000 * s).toFixed(1) + ' ms' : dur(s)) + ')';
}

/* The wall-clock time now, hh:mm:ss. */
function clock() {
	const d = new Date();
	return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
}

/* Sets an element's text, and a flag ("bad", "warn" or none) for CSS. */
function show(id, text, flag) {
	const el = $(id);
	el.textContent = text;
	if (flag)
		el.dataset.flag = flag;
	else
		delete el.dataset.flag;
	return el;
}

function showError(text) {
	show('error', text);
	show('notice', '');
}

const notice = (text) => show('notice', clock() + ' ' + text);

/* ---- The connection ---- */

function connect() {
	clearTimeout(conn.retryTimer);
	if (conn.ws)
		return;
	const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
	let ws;
	try {
		ws = new WebSocket(url, 'recd');
	} catch (e) {
		linkDown('cannot open ' + url + ': ' + e.message);
		return;
	}
	Object.assign(conn, { ws: ws, lostMsg: null, lastRx: Date.now(),
		reason: 'connecting to recweb' });
	updateBanner();
	/* The handlers of a WebSocket given up on do nothing. */
	ws.onopen = () => {
		if (ws === conn.ws) {
			conn.reason = 'waiting for recd';
			updateBanner();
		}
	};
	ws.onmessage = (ev) => {
		if (ws === conn.ws) {
			conn.lastRx = Date.now();
			onText(ev.data);
		}
	};
	ws.onclose = (ev) => {
		if (ws !== conn.ws)
			return;
		conn.ws = null;
		/* recweb says why in the close frame (e.g. "too_slow"). */
		linkDown(conn.lostMsg || (conn.up ? 'the connection to recweb closed' :
		    'cannot reach recweb') + (ev.reason ? ': ' + ev.reason : '') +
		    (ev.code !== 1000 && ev.code !== 1005 ? ' (code ' + ev.code + ')' : ''));
	};
	/* An error is always followed by close, which says what happened. */
	ws.onerror = () => {};
}

/* The link is down: say so, forget what it carried, try again later. */
function linkDown(reason) {
	conn.attempt = conn.up ? 1 : conn.attempt + 1;
	Object.assign(conn, { up: false, reason: reason, statusOut: false });
	for (const p of conn.pending.values())
		if (p.user)
			showError(p.cmd + ': the connection was lost before recd answered; ' +
			    'check the state before trying again');
	conn.pending.clear();
	for (let i = 0; i < m.n; i++) {
		m.peaks[i] = null;
		m.pending[i] = m.shown[i] = m.hold[i] = -Infinity;
	}
	/* Waits of 0.5, 1, 2, 4, 5, 5 ... s, spread a little. */
	const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, conn.attempt - 1)) *
	    (0.8 + 0.4 * Math.random());
	conn.retryAt = Date.now() + delay;
	clearTimeout(conn.retryTimer);
	conn.retryTimer = setTimeout(connect, delay);
	cancelStop();
	setUp(false);
}

/* Shows whether we are connected, everywhere it matters. */
function setUp(up) {
	document.body.dataset.conn = up ? 'up' : 'down';
	for (const id of ['start', 'stop', 'stop-yes', 'rotate', 'mark'])
		$(id).disabled = !up;
	updateBanner();
	m.dirty = true;
}

function updateBanner() {
	let text;
	if (conn.up) {
		text = 'connected to recd ' + str(info.recd) + ' via recweb ' + str(info.recweb);
	} else if (conn.ws) {
		text = 'not connected: ' + conn.reason + '…';
	} else {
		const s = Math.max(0, Math.ceil((conn.retryAt - Date.now()) / 1000));
		text = 'not connected: ' + conn.reason + '. Trying again ' +
		    (s > 0 ? 'in ' + s + ' s.' : 'now.');
	}
	if ($('conn').textContent !== text)
		$('conn').textContent = text;
	$('retry').hidden = conn.up || conn.ws !== null;
}

/*
 * Sends a request; onResult gets its result.  user: a person asked for it,
 * so its errors are shown and a reply lost with the link is told.
 */
function request(cmd, fields, onResult, user) {
	if (!conn.ws || conn.ws.readyState !== WebSocket.OPEN) {
		if (user)
			showError(cmd + ': not connected');
		return false;
	}
	const id = conn.nextId++;
	conn.pending.set(id, { cmd: cmd, onResult: onResult, user: user });
	conn.ws.send(JSON.stringify(Object.assign({ id: id, cmd: cmd }, fields)));
	return true;
}

function askStatus() {
	if (request('status', {}, showStatus)) {
		conn.statusOut = true;
		conn.statusAt = Date.now();
	}
}

/* One message from recweb: an event, or a reply to a request. */
function onText(text) {
	let msg;
	try {
		msg = JSON.parse(text);
	} catch (e) {
		showError('recweb sent a message that is not JSON');
		return;
	}
	if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
		return;
	if (typeof msg.event === 'string')
		onEvent(msg);
	else if ('id' in msg)
		onReply(msg);
}

function onReply(msg) {
	const p = conn.pending.get(msg.id);
	conn.pending.delete(msg.id);
	if (p && p.cmd === 'status')
		conn.statusOut = false;
	if (msg.error && typeof msg.error === 'object') {
		/* Without JACK recd has no ports: the names stay "ch N". */
		if (p && p.cmd === 'ports' && msg.error.code === 'bad_state')
			return;
		showError((p ? p.cmd : 'recd') + ' refused (' + str(msg.error.code) + '): ' +
		    str(msg.error.message));
	} else if (p && p.onResult) {
		p.onResult(msg.result && typeof msg.result === 'object' ? msg.result : {});
	}
}

function onEvent(msg) {
	switch (msg.event) {
	case 'bridge':
		info.role = msg.role === 'operator' ? 'operator' : 'viewer';
		info.user = typeof msg.user === 'string' ? msg.user : null;
		info.recweb = msg.recweb;
		showRole();
		break;
	case 'hello':
		info.recd = msg.recd;
		if (isNum(msg.rate))
			info.rate = msg.rate;
		setChannels(msg.channels);
		if (msg.protocol !== 1)
			showError('recd speaks protocol ' + str(msg.protocol) +
			    '; this page knows protocol 1 and may show some things wrongly');
		conn.up = true;
		conn.attempt = 0;
		m.lastLevels = performance.now();
		setUp(true);
		request('ports', {}, showPorts);
		askStatus();
		request('subscribe', { stream: 'levels', rate_hz: LEVELS_HZ });
		request('subscribe', { stream: 'events' });
		break;
	case 'levels':
		onLevels(msg);
		break;
	case 'recd_lost':
		conn.lostMsg = 'recweb lost recd' + (msg.message ? ': ' + msg.message : '');
		break;
	default:
		/* The events stream. */
		addEvent(msg);
		if (msg.event === 'jack_back' || msg.event === 'ports_connected')
			request('ports', {}, showPorts);
		if (!conn.statusOut)
			askStatus();
	}
}

/* Every quarter second: watch the link, poll status, count down. */
function tick() {
	const now = Date.now();
	if (conn.ws && now - conn.lastRx > QUIET_MS) {
		/* Give up on it at once: closing a dead link can take long. */
		const ws = conn.ws;
		conn.ws = null;
		ws.close();
		linkDown('nothing heard from recweb for ' + QUIET_MS / 1000 + ' s');
		return;
	}
	if (conn.up && now - conn.statusAt >= STATUS_MS &&
	    (!conn.statusOut || now - conn.statusAt > 5 * STATUS_MS))
		askStatus();
	updateBanner();
}

/* ---- Role and controls ---- */

function showRole() {
	$('role').textContent = info.role + (info.user ? ' (' + info.user + ')' : '');
	$('role').dataset.role = document.body.dataset.role = info.role;
	/* A viewer gets no controls at all. */
	$('controls').hidden = info.role !== 'operator';
}

/* A command the operator gave; done(result) says how it went. */
function command(cmd, fields, done) {
	show('error', '');
	request(cmd, fields, (r) => {
		notice(done(r));
		askStatus();
	}, true);
}

let stopTimer = null;

/* Stop asks first: the button becomes "Really stop?" Yes / No for a while. */
function askStop() {
	$('stop').hidden = true;
	$('stop-confirm').hidden = false;
	$('stop-no').focus();
	clearTimeout(stopTimer);
	stopTimer = setTimeout(cancelStop, STOP_CONFIRM_MS);
}

function cancelStop() {
	clearTimeout(stopTimer);
	const focused = $('stop-confirm').contains(document.activeElement);
	$('stop-confirm').hidden = true;
	$('stop').hidden = false;
	if (focused)
		$('stop').focus();
}

function doMark() {
	const label = $('mark-label').value;
	if (new TextEncoder().encode(label).length > MARK_MAX_BYTES)
		return showError('mark: the label is longer than ' + MARK_MAX_BYTES + ' bytes');
	command('mark', label !== '' ? { label: label } : {}, () => {
		if ($('mark-label').value === label)
			$('mark-label').value = '';
		return 'mark set' + (label !== '' ? ': ' + label : '');
	});
}

function setupControls() {
	$('start').onclick = () => command('start', {}, (r) => 'start: recd is ' + str(r.state));
	$('stop').onclick = askStop;
	$('stop-no').onclick = cancelStop;
	$('stop-yes').onclick = () => {
		cancelStop();
		command('stop', {}, (r) => 'stop: recd is ' + str(r.state));
	};
	$('stop-confirm').onkeydown = (ev) => {
		if (ev.key === 'Escape')
			cancelStop();
	};
	$('rotate').onclick = () => command('rotate', {}, () => 'rotated: new files started');
	$('mark').onclick = doMark;
	$('mark-label').onkeydown = (ev) => {
		if (ev.key === 'Enter' && !$('mark').disabled)
			doMark();
	};
	$('retry').onclick = () => {
		conn.attempt = 0;
		connect();
	};
	$('clip-reset').onclick = () => {
		m.clips.fill(false);
		updateClipList();
	};
}

/* ---- Status ---- */

const KNOWN = ['state', 'take', 'files', 'frames_written', 'seconds_recorded',
	'dropped_frames', 'gaps', 'gap_frames', 'xruns', 'ring', 'disk', 'jack', 'channels',
	'mode', 'format', 'paused', 'gate', 'files_finished', 'peak_dbfs', 'alarms',
	'clients', 'uptime_seconds'];

function alarmText(a) {
	return str(a.kind) + (Array.isArray(a.channels) && a.channels.length > 0 ?
	    ' on ch ' + a.channels.join(', ') : '') + (a.since ? ' since ' + a.since : '') +
	    (isNum(a.count) && a.count > 0 ? ' (' + a.count + ')' : '');
}

/* Fills an element with one line per item, or says "none". */
function lines(id, items, text, title) {
	const el = $(id);
	el.textContent = '';
	for (const x of items) {
		const d = document.createElement('div');
		d.textContent = text(x);
		if (title)
			d.title = title(x);
		el.append(d);
	}
	if (items.length === 0)
		el.textContent = 'none';
	return el;
}

function showStatus(r) {
	const state = typeof r.state === 'string' ? r.state : '';
	info.state = state;
	show('state', state).dataset.state = state;
	document.title = (state === 'recording' ? '\u25cf ' : '') + 'recd: ' + (state || '?');
	if (isNum(r.channels))
		setChannels(r.channels);
	if (r.jack && isNum(r.jack.rate) && r.jack.rate > 0)
		info.rate = r.jack.rate;

	const take = r.take && typeof r.take === 'object' ? r.take : null;
	$('take-time').textContent = take ? hms(take.seconds) : '--:--:--';
	show('take', take ? 'started ' + str(take.started).replace('T', ' ') + ', ' +
	    hms(take.seconds) : 'none');
	show('paused', r.paused ? String(r.paused) : 'no', r.paused ? 'warn' : '');
	lines('files', Array.isArray(r.files) ? r.files : [], base, str);
	show('recorded', dur(r.seconds_recorded) + (isNum(r.files_finished) ?
	    ', ' + r.files_finished + ' files finished' : ''));
	show('gaps', str(r.gaps) + (r.gaps > 0 && isNum(r.gap_frames) ? ', ' +
	    framesLong(r.gap_frames) + ' missing' : ''), r.gaps > 0 ? 'bad' : '');
	show('drops', str(r.dropped_frames) + ' frames', r.dropped_frames > 0 ? 'bad' : '');
	show('xruns', str(r.xruns), r.xruns > 0 ? 'warn' : '');

	const ring = r.ring || {};
	if (isNum(ring.bytes) && ring.bytes > 0) {
		const fill = 100 * ring.fill / ring.bytes, high = 100 * ring.high_water / ring.bytes;
		show('ring', fill.toFixed(1) + ' % of ' + bytes(ring.bytes) + ', at most ' +
		    high.toFixed(1) + ' %', fill > 50 ? 'bad' : high > 50 ? 'warn' : '');
		const bar = document.createElement('span');
		bar.className = 'fill';
		bar.style.width = Math.min(100, fill).toFixed(1) + '%';
		$('ring').append(bar);
	} else {
		show('ring', 'none (not connected to JACK)');
	}
	show('disk', r.disk && typeof r.disk === 'object' ?
	    bytes(r.disk.free_bytes) + ' in ' + str(r.disk.path) : 'unknown');

	const j = r.jack || {};
	let jt = j.connected ? 'connected' : 'not connected';
	if (isNum(j.rate) && isNum(j.period) && j.rate > 0)
		jt += ', ' + j.rate + ' Hz, period ' + j.period + ' frames (' +
		    (1000 * j.period / j.rate).toFixed(1) + ' ms)';
	if (isNum(j.last_period_age_seconds) && j.last_period_age_seconds >= 1)
		jt += ', no period for ' + dur(j.last_period_age_seconds);
	show('jack', jt, !j.connected || state === 'stalled' ? 'bad' : '');

	show('format', str(r.channels) + ' channels, ' + str(r.mode) + ', ' + str(r.format));
	const g = r.gate;
	show('gate', g && typeof g === 'object' ? (g.open ? 'open' : 'closed') + ' since ' +
	    dur(g.since_seconds) + ' into the take' : 'off');
	const alarms = Array.isArray(r.alarms) ? r.alarms : [];
	lines('alarms', alarms, (a) => alarmText(a || {})).dataset.flag =
	    alarms.length > 0 ? 'bad' : '';
	const cl = r.clients || {};
	show('clients', str(cl.control) + ' steering, ' + (cl.readonly === null ?
	    'no read-only socket' : str(cl.readonly) + ' watching'));
	show('uptime', dur(r.uptime_seconds));

	/* Fields newer than this page, as they come. */
	const list = $('status-list');
	for (const el of list.querySelectorAll('.more'))
		el.remove();
	for (const k of Object.keys(r).filter((k) => !KNOWN.includes(k))) {
		const dt = document.createElement('dt'), dd = document.createElement('dd');
		dt.className = dd.className = 'more';
		dt.textContent = k;
		dd.textContent = JSON.stringify(r[k]);
		list.append(dt, dd);
	}
}

/* ---- Events ---- */

/* A short text for each event of the events stream. */
const DESCRIBE = {
	take_started: (e) => 'take started ' + str(e.time),
	take_stopped: (e) => 'take stopped after ' + frames(e.frames) +
	    (e.reason ? ' (' + e.reason + ')' : ''),
	file_opened: (e) => base(e.path),
	file_closed: (e) => base(e.path) + ', ' + dur(e.seconds),
	gap: (e) => framesLong(e.frames) + ' missing: ' + str(e.cause) +
	    (e.path ? ', in ' + base(e.path) : ''),
	xrun: (e) => 'xruns so far: ' + str(e.count),
	mark: (e) => (e.label ? '"' + e.label + '"' : 'no label') + ' at ' + frames(e.frame) +
	    ' into the take',
	option_changed: (e) => str(e.key) + ' = ' + JSON.stringify(e.value),
	jack_lost: (e) => 'JACK lost: ' + str(e.reason),
	jack_back: (e) => 'JACK back after ' + dur(e.lost_seconds) + ', ' + str(e.rate) +
	    ' Hz, period ' + str(e.period),
	stalled: (e) => 'no period for ' + dur(e.seconds),
	stall_ended: (e) => 'periods again after ' + dur(e.seconds),
	rate_changed: (e) => str(e.rate) + ' Hz (was ' + str(e.was) + ')',
	period_changed: (e) => str(e.period) + ' frames (was ' + str(e.was) + ')',
	alarm: (e) => (e.cleared ? 'cleared: ' : 'raised: ') + alarmText(e),
	ports_connected: () => 'new sources connected',
	gate_opened: (e) => 'at ' + dur(e.seconds) + ' into the take',
	gate_closed: (e) => 'at ' + dur(e.seconds) + ', after ' + dur(e.segment_seconds),
	disk_low: (e) => bytes(e.free_bytes) + ' free in ' + str(e.path),
	disk_ok: (e) => bytes(e.free_bytes) + ' free in ' + str(e.path),
	paused: (e) => str(e.reason),
	resumed: (e) => 'after ' + str(e.after),
	write_error: (e) => (e.path ? base(e.path) + ': ' : '') + str(e.error),
	file_deleted: (e) => base(e.path) + ' (' + str(e.reason) + ')',
	hook_done: (e) => str(e.hook) + ' for ' + base(e.path) + ': ' +
	    (e.status === null ? 'could not start' : 'exit ' + e.status),
};

/* How an event looks (CSS): bad, warn, good, mark or plain. */
const SEVERITY = {
	gap: 'bad', write_error: 'bad', jack_lost: 'bad', stalled: 'bad',
	xrun: 'warn', paused: 'warn', disk_low: 'warn', rate_changed: 'warn',
	period_changed: 'warn', take_started: 'good', resumed: 'good', jack_back: 'good',
	stall_ended: 'good', disk_ok: 'good', mark: 'mark',
};

function describe(e) {
	if (Object.prototype.hasOwnProperty.call(DESCRIBE, e.event))
		return DESCRIBE[e.event](e);
	/* An event newer than this page: its fields as they come. */
	const rest = Object.assign({}, e);
	delete rest.event;
	const t = JSON.stringify(rest);
	return t === '{}' ? '' : t.length > 120 ? t.slice(0, 117) + '...' : t;
}

function addEvent(e) {
	const sev = e.event === 'alarm' ? (e.cleared ? 'good' : 'bad') :
	    e.event === 'take_stopped' && e.reason ? 'bad' :
	    Object.prototype.hasOwnProperty.call(SEVERITY, e.event) ? SEVERITY[e.event] : 'plain';
	const li = document.createElement('li');
	const t = document.createElement('time');
	const name = document.createElement('strong');
	const text = document.createElement('span');
	li.className = 'ev ev-' + sev;
	li.title = JSON.stringify(e);
	t.textContent = clock();
	name.className = 'ev-name';
	name.textContent = e.event;
	text.className = 'ev-text';
	text.textContent = describe(e);
	li.append(t, ' ', name, ' ', text);
	const list = $('events');
	list.prepend(li);
	while (list.children.length > EVENTS_MAX)
		list.lastElementChild.remove();
}

/* ---- Channels, ports and levels ---- */

const chName = (i) => m.portNames[i] || 'ch ' + (i + 1);

/* A port name without its client ("recd:in_1" is "in_1"). */
function shortName(i) {
	const n = chName(i), c = n.indexOf(':');
	return m.portNames[i] && c >= 0 && c < n.length - 1 ? n.slice(c + 1) : n;
}

function setChannels(n) {
	if (!Number.isInteger(n) || n < 1 || n > 4096 || n === m.n)
		return;
	const fit = (a, fill) => {
		a.length = Math.min(a.length, n);
		while (a.length < n)
			a.push(fill);
	};
	fit(m.portNames, null);
	fit(m.sources, null);
	fit(m.peaks, null);
	fit(m.clips, false);
	fit(m.pending, -Infinity);
	fit(m.shown, -Infinity);
	fit(m.hold, -Infinity);
	fit(m.holdAt, 0);
	m.n = n;
	m.dirty = true;
	$('meters').setAttribute('aria-label', 'Level meters of ' + n + ' channels');
	updateClipList();
	updateMeterNote();
}

function showPorts(r) {
	if (!Array.isArray(r.ports))
		return;
	const ports = r.ports.filter((p) => p && Number.isInteger(p.channel) && p.channel >= 1);
	setChannels(Math.max(m.n, ...ports.map((p) => p.channel)));
	for (const p of ports) {
		if (p.channel > m.n)
			continue;
		m.portNames[p.channel - 1] = typeof p.name === 'string' && p.name !== '' ? p.name : null;
		m.sources[p.channel - 1] = Array.isArray(p.sources) ? p.sources.map(str) : null;
	}
	m.dirty = true;
}

function onLevels(msg) {
	const p = msg.peak_dbfs, c = Array.isArray(msg.clip) ? msg.clip : [];
	if (!Array.isArray(p))
		return;
	setChannels(p.length);
	const now = performance.now();
	let newClip = false;
	for (let i = 0; i < m.n; i++) {
		const v = isNum(p[i]) ? p[i] : null;	// null: digital silence
		const db = v === null ? -Infinity : v;
		m.peaks[i] = v;
		if (db > m.pending[i])
			m.pending[i] = db;
		if (v !== null && db >= m.hold[i]) {
			m.hold[i] = db;
			m.holdAt[i] = now;
		}
		if (c[i] === true && !m.clips[i])
			newClip = m.clips[i] = true;
	}
	m.lastLevels = now;
	if (isNum(msg.dropped) && msg.dropped > 0) {
		m.dropped += msg.dropped;
		updateMeterNote();
	}
	if (newClip)
		updateClipList();
}

/* Says in words which clip lamps are lit. */
function updateClipList() {
	const lit = [];
	m.clips.forEach((on, i) => on && lit.push(i + 1));
	$('clip-reset').disabled = lit.length === 0;
	$('clip-list').textContent = lit.length === 0 ? '' : 'Clipped: ch ' +
	    lit.slice(0, 12).join(', ') + (lit.length > 12 ? ' and ' + (lit.length - 12) + ' more' : '');
}

function updateMeterNote() {
	$('meter-note').textContent = m.n + ' channels' +
	    (m.dropped > 0 ? ', ' + m.dropped + ' meter updates skipped' : '');
}

/* ---- Meter drawing ---- */

const canvas = $('meters');
const ctx = canvas.getContext('2d');
const bg = document.createElement('canvas');	// what changes seldom, drawn once

/* The IEC 60268-18 scale: dBFS to 0..1 of a bar, with room for what matters. */
function iec(db) {
	if (!(db > DB_MIN)) return 0;
	if (db < -60) return (db + 70) * 0.0025;
	if (db < -50) return (db + 60) * 0.005 + 0.025;
	if (db < -40) return (db + 50) * 0.0075 + 0.075;
	if (db < -30) return (db + 40) * 0.015 + 0.15;
	if (db < -20) return (db + 30) * 0.02 + 0.3;
	if (db < 0) return (db + 20) * 0.025 + 0.5;
	return 1;
}

/*
 * Lays n channels out in W x H CSS pixels: rows of strips (lamp, bar,
 * name), each row with its scale on the left.  More rows give wider strips
 * and shorter bars; the count that serves both best is taken.
 */
function computeLayout(W, H, n) {
	const scaleW = 34, lampH = 14, labelH = 16;
	const avail = Math.max(8, W - scaleW - 4);
	let best = null;
	for (let rows = 1; rows <= n; rows++) {
		const per = Math.ceil(n / rows);
		if (rows > 1 && Math.ceil(n / (rows - 1)) === per)
			continue;		// no better than fewer rows
		const rowH = Math.floor(H / rows), stripW = Math.min(64, avail / per);
		const barH = rowH - lampH - labelH - 8;
		const score = Math.min(1, stripW / 26, barH / 90);
		if (!best || score > best.score + 1e-9)
			best = { rows, per, rowH, stripW, barH, score };
		if (barH < 24)
			break;
	}
	const L = Object.assign(best, { scaleW, lampH, labelH, W, H });
	if (L.stripW >= 6)
		L.stripW = Math.floor(L.stripW);
	L.x0 = Math.floor((W - scaleW - L.per * L.stripW) / 2) + scaleW;
	L.pad = L.stripW >= 10 ? 2 : L.stripW >= 4 ? 1 : 0;
	L.barH = Math.max(4, L.barH);
	return L;
}

/* Where channel i is: its strip, lamp and bar, in CSS pixels. */
function strip(i) {
	const L = m.L, x = L.x0 + (i % L.per) * L.stripW, top = Math.floor(i / L.per) * L.rowH;
	const barTop = top + L.lampH + 6;
	return { x, top, ix: x + L.pad, iw: Math.max(1, L.stripW - 2 * L.pad), lampY: top + 3,
		lampH: L.lampH - 2, barTop, barBot: barTop + L.barH };
}

/* Fits the canvas to its box and to the screen's pixels. */
function layout() {
	const box = $('meters-box'), dpr = window.devicePixelRatio || 1;
	const W = Math.max(50, box.clientWidth), H = Math.max(50, box.clientHeight);
	canvas.style.width = W + 'px';
	canvas.style.height = H + 'px';
	canvas.width = bg.width = Math.round(W * dpr);
	canvas.height = bg.height = Math.round(H * dpr);
	m.L = computeLayout(W, H, Math.max(1, m.n));
	m.L.dpr = dpr;
}

/*
 * The names under the bars, fitted to w pixels: the port names without
 * their client; when they do not all fit, without what they all begin
 * with ("in_1" is "1"), then cut short (keeping the end instead when the
 * beginnings are much the same), or the channel number.
 */
function labels(c, w) {
	const names = Array.from({ length: m.n }, (_, i) => shortName(i));
	const fits = (t) => c.measureText(t).width <= w;
	if (names.every(fits))
		return names;
	let pre = names[0] || '';
	for (const s of names)
		while (pre !== '' && !s.startsWith(pre))
			pre = pre.slice(0, -1);
	const rest = names.map((s) => (s.length > pre.length ? s.slice(pre.length) : s));
	const fitted = (tail) => rest.map((s, i) => {
		for (let k = s.length; k >= 2; k--) {
			const t = k === s.length ? s : tail ? '\u2026' + s.slice(s.length - k) :
			    s.slice(0, k) + '\u2026';
			if (fits(t))
				return t;
		}
		return String(i + 1);
	});
	const heads = fitted(false);
	return new Set(heads).size < heads.length / 2 ? fitted(true) : heads;
}

/* The scale, tracks, names and unlit lamps: redrawn only when they change. */
function drawBackground(live) {
	const L = m.L, c = bg.getContext('2d');
	c.setTransform(L.dpr, 0, 0, L.dpr, 0, 0);
	c.fillStyle = COLORS.bg;
	c.fillRect(0, 0, L.W, L.H);
	const labelFont = (L.stripW < 22 ? 10 : 11) + 'px ' + FONT;
	c.font = labelFont;
	const names = labels(c, L.stripW - 2);
	/*
	 * When the names are the channel numbers the lamps need not say them
	 * again; numbers too wide for a strip go on every step-th one.
	 */
	const numbers = names.every((t, i) => t === String(i + 1));
	const step = numbers ? Math.ceil((c.measureText(String(m.n)).width + 3) / L.stripW) : 1;
	m.lampNumbers = !numbers;
	/* Scale marks at least 13 px apart, from 0 dBFS down. */
	const ticks = [];
	for (const t of [0, -3, -6, -10, -15, -20, -25, -30, -40, -50, -60]) {
		const y = Math.round(L.barH * (1 - iec(t)));
		if (ticks.length === 0 || y - ticks[ticks.length - 1].y >= 13)
			ticks.push({ t, y });
	}
	for (let row = 0; row < L.rows; row++) {
		const first = row * L.per, last = Math.min(m.n, first + L.per);
		const top = strip(first).barTop, right = L.x0 + (last - first) * L.stripW;
		for (let i = first; i < last; i++) {
			const st = strip(i);
			c.fillStyle = COLORS.track;
			c.fillRect(st.ix, st.barTop, st.iw, L.barH);
			c.fillStyle = COLORS.lampOff;
			c.fillRect(st.ix, st.lampY, st.iw, st.lampH);
			c.fillStyle = live ? COLORS.text : COLORS.dim;
			c.font = labelFont;
			c.textAlign = 'center';
			c.textBaseline = 'alphabetic';
			if ((i + 1) % step === 0)
				c.fillText(names[i], st.x + L.stripW / 2, st.top + L.rowH - 5);
		}
		/* The scale, with faint lines across so narrow bars can be read. */
		c.font = '11px ' + FONT;
		c.textAlign = 'right';
		c.textBaseline = 'middle';
		for (const { t, y } of ticks) {
			c.fillStyle = live ? COLORS.text : COLORS.dim;
			c.fillText(String(t), L.x0 - 6, top + y + 0.5);
			c.fillStyle = COLORS.grid;
			c.fillRect(L.x0 - 4, top + y, right - L.x0 + 4, 1);
		}
	}
}

/* One frame, at the display's rate. */
function frame(now) {
	requestAnimationFrame(frame);
	if ((window.devicePixelRatio || 1) !== (m.L && m.L.dpr))
		m.dirty = true;			// moved to another screen, or zoomed
	const live = conn.up && now - m.lastLevels < STALE_MS;
	if (m.dirty || live !== m.bgLive) {
		if (m.dirty)
			layout();
		drawBackground(live);
		m.dirty = false;
		m.bgLive = live;
	}
	const dt = Math.min(0.5, Math.max(0, (now - m.lastFrame) / 1000));
	m.lastFrame = now;
	const L = m.L, yellow = iec(DB_YELLOW) * L.barH, red = iec(DB_RED) * L.barH;
	ctx.setTransform(1, 0, 0, 1, 0, 0);
	ctx.drawImage(bg, 0, 0);
	ctx.setTransform(L.dpr, 0, 0, L.dpr, 0, 0);
	ctx.font = (L.stripW < 22 ? 9 : 10) + 'px ' + FONT;
	ctx.textAlign = 'center';
	ctx.textBaseline = 'middle';
	for (let i = 0; i < m.n; i++) {
		/* Bars rise at once and fall at FALL_DB_S; holds wait first. */
		const fallen = m.shown[i] - FALL_DB_S * dt;
		m.shown[i] = m.pending[i] > fallen ? m.pending[i] : fallen > DB_MIN ? fallen : -Infinity;
		m.pending[i] = -Infinity;
		if (now - m.holdAt[i] > HOLD_MS) {
			const h = m.hold[i] - FALL_DB_S * dt;
			m.hold[i] = Math.max(m.shown[i], h > DB_MIN ? h : -Infinity);
		}
		const st = strip(i), h = iec(m.shown[i]) * L.barH, hh = iec(m.hold[i]) * L.barH;
		if (live) {
			/* Green, then yellow from DB_YELLOW, then red from DB_RED. */
			for (const [from, to, color] of [[0, yellow, COLORS.green],
			    [yellow, red, COLORS.yellow], [red, L.barH, COLORS.red]]) {
				if (h > from) {
					ctx.fillStyle = color;
					ctx.fillRect(st.ix, st.barBot - Math.min(h, to), st.iw,
					    Math.min(h, to) - from);
				}
			}
			if (hh > 0) {
				ctx.fillStyle = hh > red ? COLORS.red : COLORS.hold;
				ctx.fillRect(st.ix, st.barBot - hh - 1, st.iw, 2);
			}
		}
		/* The lamp: lit red until reset, with the channel number if it fits. */
		if (m.clips[i]) {
			ctx.fillStyle = COLORS.lampOn;
			ctx.fillRect(st.ix, st.lampY, st.iw, st.lampH);
		}
		const num = String(i + 1);
		if (m.lampNumbers && ctx.measureText(num).width <= st.iw - 2) {
			ctx.fillStyle = m.clips[i] ? '#ffffff' : COLORS.dim;
			ctx.fillText(num, st.x + L.stripW / 2, st.lampY + st.lampH / 2 + 0.5);
		}
	}
	if (!live) {
		const text = conn.up ? 'no meter data from recd' : 'not connected';
		ctx.font = 'bold 20px ' + FONT;
		const w = ctx.measureText(text).width + 32;
		ctx.fillStyle = 'rgba(0,0,0,0.75)';
		ctx.fillRect((L.W - w) / 2, L.H / 2 - 22, w, 44);
		ctx.fillStyle = '#ffb3ad';
		ctx.fillText(text, L.W / 2, L.H / 2);
	}
}

/* The channel at (x, y) in the canvas' CSS pixels, and whether on its lamp. */
function hit(x, y) {
	const L = m.L;
	if (!L)
		return null;
	const row = Math.floor(y / L.rowH), col = Math.floor((x - L.x0) / L.stripW);
	const i = row * L.per + col;
	if (row < 0 || col < 0 || col >= L.per || i >= m.n)
		return null;
	const st = strip(i);
	return { i, lamp: y < st.lampY + st.lampH + 6 };
}

/* Says what a channel is and how loud, next to the pointer. */
function showTip(h, x, y) {
	const tip = $('meter-tip'), box = $('meters-box');
	tip.hidden = !h;
	if (!h)
		return;
	const i = h.i, src = m.sources[i];
	tip.textContent = 'ch ' + (i + 1) + ': ' + chName(i) +
	    (src && src.length ? '\nfrom ' + src.join(', ') : '') +
	    '\npeak ' + (isNum(m.peaks[i]) ? m.peaks[i].toFixed(1) + ' dBFS' : '-inf (silence)') +
	    (m.hold[i] > -Infinity ? ', hold ' + m.hold[i].toFixed(1) : '') +
	    (m.clips[i] ? '\nCLIPPED: click the lamp to reset' : '');
	const left = Math.min(x + 14, box.clientWidth - tip.offsetWidth - 4);
	const top = y + 18 + tip.offsetHeight > box.clientHeight ? y - tip.offsetHeight - 8 : y + 18;
	tip.style.left = Math.max(4, left) + 'px';
	tip.style.top = Math.max(4, top) + 'px';
}

function setupMeters() {
	let tipTimer = null;
	const at = (ev) => {
		const r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
		return { x, y, h: hit(x, y) };
	};
	canvas.addEventListener('pointermove', (ev) => {
		if (ev.pointerType === 'mouse') {
			const p = at(ev);
			showTip(p.h, p.x, p.y);
		}
	});
	canvas.addEventListener('pointerleave', () => showTip(null));
	/* A click on a lamp resets it; a touch, having no hover, shows the tip a while. */
	canvas.addEventListener('click', (ev) => {
		const p = at(ev);
		if (p.h && p.h.lamp && m.clips[p.h.i]) {
			m.clips[p.h.i] = false;
			updateClipList();
		}
		showTip(p.h, p.x, p.y);
		clearTimeout(tipTimer);
		if (ev.pointerType !== 'mouse')
			tipTimer = setTimeout(() => showTip(null), 3000);
	});
	new ResizeObserver(() => { m.dirty = true; }).observe($('meters-box'));
	requestAnimationFrame(frame);
}

/* ---- For tests and the curious: read only, always current ---- */
window.recweb = {
	get peaks() { return m.peaks.slice(); },
	get clips() { return m.clips.slice(); },
	get names() { return Array.from({ length: m.n }, (_, i) => chName(i)); },
	get role() { return info.role; },
	get state() { return info.state; },
	get connected() { return conn.up; },
	/* Channel i's clip lamp (from 0), in CSS pixels of the canvas. */
	lampAt(i) {
		if (!m.L || !(i >= 0 && i < m.n))
			return null;
		const s = strip(i);
		return { x: s.ix, y: s.lampY, w: s.iw, h: s.lampH, cx: s.ix + s.iw / 2,
			cy: s.lampY + s.lampH / 2 };
	},
};

setupControls();
setupMeters();
setUp(false);
updateClipList();
setInterval(tick, 250);
connect();
})();
