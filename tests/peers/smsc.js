#!/usr/bin/env node
'use strict';
// A small SMSC built on the npm package `smpp` (node-smpp), for smppdiag's
// integration tests: an SMPP server that someone else wrote, driven by flags.
//
// It listens on 127.0.0.1 (port 0 = any free port unless --port is given), prints
// {"event":"listening","port":N,"tls":false} on stdout when ready, then one JSON
// line per event: connect, pdu (every PDU received), bind, submit (every
// submit_sm / data_sm / submit_multi with the fields node-smpp decoded), message
// (a whole message, reassembled from its parts), deliver (a receipt sent),
// deliver_resp, enquire_link, unbind, close, error.
//
// It exits on SIGTERM / SIGINT and when its stdin closes (so a test that dies
// never leaves it behind); --ignore-stdin turns the latter off for manual runs.
//
// Flags:
//   --host H              listen address (127.0.0.1)
//   --port N              listen port (0: any free port)
//   --account ID:PASS     accepted credentials, repeatable. Without any, every
//                         bind is accepted. Wrong password: ESME_RINVPASWD (0x0E);
//                         unknown system_id: ESME_RINVSYSID (0x0F).
//   --single-bind         a second bind of a system_id that is still bound gets
//                         ESME_RALYBND (0x05)
//   --throttle-every N    every Nth submit is answered ESME_RTHROTTLED (0x58)
//   --queue-full-every N  every Nth submit is answered ESME_RMSGQFUL (0x14)
//   --fail-first N        the first N submits fail with --fail-status
//   --fail-status CODE    status for --fail-first (decimal or 0x hex; 0x08)
//   --receipts            send a delivery receipt (deliver_sm, esm_class 0x04,
//                         receipted_message_id and message_state TLVs) when
//                         registered_delivery asks for one: on the same session
//                         when it is a transceiver, else on a bound receiver of
//                         the same system_id (kept until one binds)
//   --receipt-stat STAT   final state in receipts (DELIVRD; also UNDELIV,
//                         EXPIRED, REJECTD, DELETED, ACCEPTD, UNKNOWN)
//   --receipt-delay MS    delay before a receipt is sent (20)
//   --tls-cert F --tls-key F   serve SMPP over TLS with this PEM certificate/key
//   --close-after-bind    answer the bind, then close the connection
//   --silent              never answer any PDU
//   --silent-after-bind   answer binds, then never answer anything
//   --garbage             answer each submit with bytes that are not SMPP
//   --generic-nack        answer each submit with generic_nack (ESME_RINVCMDID)
//   --wrong-seq           answer each submit with a sequence number off by 1000
//   --oversized           answer each submit with a header claiming 0x7FFFFFFF octets
//   --quiet               no per-PDU events (pdu, submit, deliver_resp,
//                         enquire_link): for load runs; summary on exit
//   --ignore-stdin        do not exit when stdin closes

const fs = require('fs');
const path = require('path');
const smpp = require(path.join(__dirname, 'node_modules', 'smpp'));

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
	const opts = {
		host: '127.0.0.1',
		port: 0,
		accounts: null,
		singleBind: false,
		throttleEvery: 0,
		queueFullEvery: 0,
		failFirst: 0,
		failStatus: 0x08,
		receipts: false,
		receiptStat: 'DELIVRD',
		receiptDelay: 20,
		tlsCert: null,
		tlsKey: null,
		closeAfterBind: false,
		silent: false,
		silentAfterBind: false,
		garbage: false,
		genericNack: false,
		wrongSeq: false,
		oversized: false,
		quiet: false,
		ignoreStdin: false,
	};
	const flags = {
		'--single-bind': 'singleBind',
		'--receipts': 'receipts',
		'--close-after-bind': 'closeAfterBind',
		'--silent': 'silent',
		'--silent-after-bind': 'silentAfterBind',
		'--garbage': 'garbage',
		'--generic-nack': 'genericNack',
		'--wrong-seq': 'wrongSeq',
		'--oversized': 'oversized',
		'--quiet': 'quiet',
		'--ignore-stdin': 'ignoreStdin',
	};
	const numbers = {
		'--port': 'port',
		'--throttle-every': 'throttleEvery',
		'--queue-full-every': 'queueFullEvery',
		'--fail-first': 'failFirst',
		'--fail-status': 'failStatus',
		'--receipt-delay': 'receiptDelay',
	};
	const strings = {
		'--host': 'host',
		'--receipt-stat': 'receiptStat',
		'--tls-cert': 'tlsCert',
		'--tls-key': 'tlsKey',
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg in flags) {
			opts[flags[arg]] = true;
			continue;
		}
		const value = argv[i + 1];
		if (arg === '--account' || arg in numbers || arg in strings) {
			if (value === undefined) {
				usage('missing value after ' + arg);
			}
			i++;
		}
		if (arg === '--account') {
			const colon = value.indexOf(':');
			if (colon < 0) {
				usage('--account wants ID:PASSWORD, got ' + value);
			}
			opts.accounts = opts.accounts || new Map();
			opts.accounts.set(value.slice(0, colon), value.slice(colon + 1));
		} else if (arg in numbers) {
			const n = Number(value);
			if (!Number.isInteger(n) || n < 0) {
				usage(arg + ' wants a non-negative integer, got ' + value);
			}
			opts[numbers[arg]] = n;
		} else if (arg in strings) {
			opts[strings[arg]] = value;
		} else {
			usage('unknown argument ' + arg);
		}
	}
	if (!!opts.tlsCert !== !!opts.tlsKey) {
		usage('--tls-cert and --tls-key go together');
	}
	if (!(opts.receiptStat in RECEIPT_STATES)) {
		usage('unknown --receipt-stat ' + opts.receiptStat);
	}
	return opts;
}

function usage(message) {
	process.stderr.write('smsc.js: ' + message + '\n(see the comment at the top of tests/peers/smsc.js)\n');
	process.exit(2);
}

// receipt stat word -> message_state TLV value (SMPP 3.4 section 5.2.28)
const RECEIPT_STATES = {
	ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8,
};

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- events

const summary = {binds: 0, submits: 0, ok: 0, errors: {}, messages: 0, receipts: 0};

function emit(event, fields) {
	const line = JSON.stringify(Object.assign({event: event}, fields));
	process.stdout.write(line + '\n');
}

function statusName(code) {
	for (const name in smpp.errors) {
		if (smpp.errors[name] === code) {
			return name;
		}
	}
	return '0x' + code.toString(16).padStart(8, '0');
}

// JSON-safe copy of what node-smpp decoded: Buffers as hex, Dates as ISO text.
function plain(value) {
	if (Buffer.isBuffer(value)) {
		return value.toString('hex');
	}
	if (value instanceof Date) {
		return isNaN(value.getTime()) ? null : value.toISOString();
	}
	if (Array.isArray(value)) {
		return value.map(plain);
	}
	if (value && typeof value === 'object') {
		const out = {};
		for (const key of Object.keys(value)) {
			out[key] = plain(value[key]);
		}
		return out;
	}
	if (typeof value === 'string') {
		return wellFormed(value);
	}
	return value;
}

function wellFormed(s) {
	if (typeof s.toWellFormed === 'function') {
		return s.toWellFormed();
	}
	return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

// ---------------------------------------------------------------- raw message bytes

// node-smpp decodes short_message / message_payload into text on its own. Keep the
// octets it decoded from (after the UDH) beside that text, so that long messages
// are reassembled from the bytes that crossed the wire.
const messageFilter = smpp.filters.message;
const nodeDecode = messageFilter.decode;
messageFilter.decode = function (value, skipUdh) {
	const result = nodeDecode.call(this, value, skipUdh);
	if (Buffer.isBuffer(value) && result && typeof result === 'object') {
		const udhi = (this.esm_class & 0x40) !== 0;
		const body = !skipUdh && udhi && value.length ? value.slice(value[0] + 1) : value;
		const udh = !skipUdh && udhi && value.length ? value.slice(0, value[0] + 1) : null;
		Object.defineProperty(result, 'raw', {value: body, enumerable: false});
		Object.defineProperty(result, 'rawUdh', {value: udh, enumerable: false});
	}
	return result;
};

// ---------------------------------------------------------------- text decoding

// GSM 03.38 default alphabet, one septet per octet (unpacked), and its extension table.
const GSM_BASIC =
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
	'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = {0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€'};

function decodeGsm(buf) {
	let out = '';
	for (let i = 0; i < buf.length; i++) {
		const b = buf[i] & 0x7f;
		if (b === 0x1b) {
			if (i + 1 >= buf.length) {
				out += '\uFFFD'; // an escape with nothing after it: a split sequence
				continue;
			}
			const next = buf[++i] & 0x7f;
			out += GSM_EXTENSION[next] !== undefined ? GSM_EXTENSION[next] : GSM_BASIC[next];
		} else {
			out += GSM_BASIC[b];
		}
	}
	return out;
}

function decodeUcs2(buf) {
	const even = buf.length - (buf.length % 2);
	const swapped = Buffer.from(buf.slice(0, even));
	swapped.swap16();
	let text = wellFormed(swapped.toString('utf16le'));
	if (even !== buf.length) {
		text += '\uFFFD';
	}
	return text;
}

// data_coding -> text, for the codings the tests use; others come back as hex.
function decodeText(buf, dataCoding) {
	const dc = dataCoding || 0;
	// 0x00 SMSC default (GSM 03.38); 0xF0-0xFF with bit 2 clear: GSM DCS, 7-bit alphabet
	if (dc === 0x00 || ((dc & 0xf0) === 0xf0 && (dc & 0x04) === 0)) {
		return decodeGsm(buf);
	}
	if (dc === 0x08) {
		return decodeUcs2(buf);
	}
	switch (dc) {
		case 0x01:
			return buf.toString('latin1').replace(/[\x80-\xff]/g, '\uFFFD');
		case 0x03:
			return buf.toString('latin1');
		default:
			return null;
	}
}

// ---------------------------------------------------------------- message reassembly

const pendingParts = new Map();

// Where a part sits in a long message: from an 8- or 16-bit concatenation IE in
// the UDH, else from the SAR TLVs; null for a message in one piece.
function partInfo(pdu, udh) {
	if (udh && udh.length > 1) {
		let i = 1;
		while (i + 1 < udh.length) {
			const iei = udh[i];
			const len = udh[i + 1];
			const data = udh.slice(i + 2, i + 2 + len);
			if (iei === 0x00 && len === 3) {
				return {ref: data[0], total: data[1], seq: data[2], via: 'udh8'};
			}
			if (iei === 0x08 && len === 4) {
				return {ref: data.readUInt16BE(0), total: data[2], seq: data[3], via: 'udh16'};
			}
			i += 2 + len;
		}
	}
	if (pdu.sar_msg_ref_num !== undefined && pdu.sar_total_segments !== undefined) {
		return {ref: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum, via: 'sar'};
	}
	return null;
}

function collectMessage(session, pdu, messageId) {
	let body = null;
	let via = 'short_message';
	if (pdu.message_payload && pdu.message_payload.raw) {
		body = pdu.message_payload;
		via = 'message_payload';
	} else if (pdu.short_message && pdu.short_message.raw) {
		body = pdu.short_message;
	}
	if (!body) {
		return;
	}
	const dc = pdu.data_coding || 0;
	const part = partInfo(pdu, body.rawUdh);
	const base = {
		system_id: session.systemId,
		source_addr: pdu.source_addr,
		destination_addr: pdu.destination_addr,
		data_coding: dc,
	};
	if (!part || part.total <= 1) {
		finishMessage(Object.assign(base, {parts: 1, via: via, reference: null}), [{raw: body.raw, messageId: messageId}], dc);
		return;
	}
	const key = [session.systemId, pdu.source_addr, pdu.destination_addr, part.via, part.ref, part.total].join('|');
	let entry = pendingParts.get(key);
	if (!entry) {
		entry = {parts: new Map(), total: part.total};
		pendingParts.set(key, entry);
	}
	entry.parts.set(part.seq, {raw: body.raw, messageId: messageId});
	if (entry.parts.size === entry.total) {
		pendingParts.delete(key);
		const ordered = [];
		for (let seq = 1; seq <= entry.total; seq++) {
			if (!entry.parts.has(seq)) {
				emit('error', {message: 'part numbers of a long message do not run 1..' + entry.total, key: key});
				return;
			}
			ordered.push(entry.parts.get(seq));
		}
		finishMessage(Object.assign(base, {parts: entry.total, via: part.via, reference: part.ref}), ordered, dc);
	}
}

// Each part is decoded on its own, as a handset would: a GSM escape or a UTF-16
// surrogate pair cut in two between parts shows up as U+FFFD in `text`.
function finishMessage(fields, parts, dc) {
	const texts = parts.map((p) => decodeText(p.raw, dc));
	const text = texts.some((t) => t === null) ? null : texts.join('');
	summary.messages++;
	emit('message', Object.assign(fields, {
		text: text,
		part_texts: texts,
		hex: Buffer.concat(parts.map((p) => p.raw)).toString('hex'),
		message_ids: parts.map((p) => p.messageId),
	}));
}

// ---------------------------------------------------------------- receipts

const boundSessions = new Set();
const pendingReceipts = new Map(); // system_id -> [receipt options]

function smppDate(d) {
	const two = (n) => String(n).padStart(2, '0');
	return two(d.getUTCFullYear() % 100) + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) +
		two(d.getUTCHours()) + two(d.getUTCMinutes());
}

function queueReceipt(session, pdu, messageId, submitted) {
	// registered_delivery bits 0-1: 1 = receipt on success or failure, 2 = on failure only.
	const wanted = pdu.registered_delivery & 0x03;
	const stat = opts.receiptStat;
	const failed = stat !== 'DELIVRD' && stat !== 'ACCEPTD' && stat !== 'ENROUTE';
	if (!(wanted === 1 || (wanted === 2 && failed))) {
		return;
	}
	let sample = '';
	const body = pdu.message_payload || pdu.short_message;
	if (body && typeof body.message === 'string') {
		sample = body.message.slice(0, 20).replace(/[^A-Za-z0-9 .,:!?'-]/g, '.');
	}
	const text = 'id:' + messageId + ' sub:001 dlvrd:' + (failed ? '000' : '001') +
		' submit date:' + smppDate(submitted) + ' done date:' + smppDate(new Date()) +
		' stat:' + stat + ' err:' + (failed ? '001' : '000') + ' text:' + sample;
	const receipt = {
		source_addr_ton: pdu.dest_addr_ton || 0,
		source_addr_npi: pdu.dest_addr_npi || 0,
		source_addr: pdu.destination_addr || '',
		dest_addr_ton: pdu.source_addr_ton || 0,
		dest_addr_npi: pdu.source_addr_npi || 0,
		destination_addr: pdu.source_addr || '',
		esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
		data_coding: 0,
		short_message: Buffer.from(text, 'ascii'),
		receipted_message_id: messageId,
		message_state: RECEIPT_STATES[stat],
	};
	const target = session.mode === 'trx' ? session : null;
	setTimeout(() => sendReceipt(session.systemId, receipt, target), opts.receiptDelay);
}

function receiverFor(systemId) {
	for (const s of boundSessions) {
		if (s.systemId === systemId && (s.mode === 'rx' || s.mode === 'trx') && !s.closed) {
			return s;
		}
	}
	return null;
}

function sendReceipt(systemId, receipt, target) {
	const session = target && !target.closed ? target : receiverFor(systemId);
	if (!session) {
		if (!pendingReceipts.has(systemId)) {
			pendingReceipts.set(systemId, []);
		}
		pendingReceipts.get(systemId).push(receipt);
		emit('receipt_queued', {system_id: systemId, message_id: receipt.receipted_message_id});
		return;
	}
	session.deliver_sm(Object.assign({}, receipt), (resp) => {
		if (!opts.quiet) {
			emit('deliver_resp', {session: session.id, sequence_number: resp.sequence_number, command_status: resp.command_status});
		}
	});
	summary.receipts++;
	emit('deliver', {
		session: session.id,
		system_id: systemId,
		receipted_message_id: receipt.receipted_message_id,
		message_state: receipt.message_state,
		text: receipt.short_message.toString('ascii'),
	});
}

function flushReceipts(session) {
	const queued = pendingReceipts.get(session.systemId);
	if (!queued || !(session.mode === 'rx' || session.mode === 'trx')) {
		return;
	}
	pendingReceipts.delete(session.systemId);
	for (const receipt of queued) {
		sendReceipt(session.systemId, receipt, session);
	}
}

// ---------------------------------------------------------------- faults

const GARBAGE = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', 'ascii');

function answerWithFault(session, pdu) {
	if (opts.garbage) {
		session.socket.write(GARBAGE);
		return true;
	}
	if (opts.oversized) {
		const header = Buffer.alloc(16);
		header.writeUInt32BE(0x7fffffff, 0);
		header.writeUInt32BE(0x80000000 | pdu.command_id, 4);
		header.writeUInt32BE(0, 8);
		header.writeUInt32BE(pdu.sequence_number, 12);
		session.socket.write(header);
		return true;
	}
	if (opts.genericNack) {
		session.send(new smpp.PDU('generic_nack', {
			sequence_number: pdu.sequence_number,
			command_status: smpp.ESME_RINVCMDID,
		}));
		return true;
	}
	if (opts.wrongSeq) {
		session.send(pdu.response({sequence_number: pdu.sequence_number + 1000, message_id: 'wrong-seq'}));
		return true;
	}
	return false;
}

// ---------------------------------------------------------------- sessions

let sessionCount = 0;
let submitCount = 0;
let messageCount = 0;

const BIND_MODES = {bind_transmitter: 'tx', bind_receiver: 'rx', bind_transceiver: 'trx'};

function onBind(session, pdu) {
	const mode = BIND_MODES[pdu.command];
	let status = smpp.ESME_ROK;
	if (opts.accounts) {
		if (!opts.accounts.has(pdu.system_id)) {
			status = smpp.ESME_RINVSYSID;
		} else if (opts.accounts.get(pdu.system_id) !== pdu.password) {
			status = smpp.ESME_RINVPASWD;
		}
	}
	if (status === smpp.ESME_ROK && session.mode) {
		status = smpp.ESME_RALYBND; // this connection is already bound
	}
	if (status === smpp.ESME_ROK && opts.singleBind) {
		for (const other of boundSessions) {
			if (other.systemId === pdu.system_id && !other.closed) {
				status = smpp.ESME_RALYBND;
			}
		}
	}
	emit('bind', {
		session: session.id,
		mode: mode,
		command: pdu.command,
		system_id: pdu.system_id,
		password: pdu.password,
		system_type: pdu.system_type,
		interface_version: pdu.interface_version,
		addr_ton: pdu.addr_ton,
		addr_npi: pdu.addr_npi,
		address_range: pdu.address_range,
		sequence_number: pdu.sequence_number,
		status: status,
		status_name: statusName(status),
	});
	if (opts.silent) {
		return;
	}
	if (status !== smpp.ESME_ROK) {
		session.send(pdu.response({command_status: status}));
		return;
	}
	summary.binds++;
	session.mode = mode;
	session.systemId = pdu.system_id;
	boundSessions.add(session);
	session.send(pdu.response({system_id: 'NODESMSC'}));
	if (opts.closeAfterBind) {
		setTimeout(() => session.destroy(), 20);
		return;
	}
	flushReceipts(session);
}

function submitStatus() {
	submitCount++;
	if (submitCount <= opts.failFirst) {
		return opts.failStatus;
	}
	if (opts.throttleEvery && submitCount % opts.throttleEvery === 0) {
		return smpp.ESME_RTHROTTLED;
	}
	if (opts.queueFullEvery && submitCount % opts.queueFullEvery === 0) {
		return smpp.ESME_RMSGQFUL;
	}
	return smpp.ESME_ROK;
}

function onSubmit(session, pdu) {
	if (!session.mode || session.mode === 'rx') {
		const status = smpp.ESME_RINVBNDSTS;
		session.send(pdu.response({command_status: status}));
		emit('submit', {session: session.id, command: pdu.command, sequence_number: pdu.sequence_number, status: status, status_name: statusName(status)});
		return;
	}
	const status = submitStatus();
	summary.submits++;
	const messageId = status === smpp.ESME_ROK ? 'm' + (++messageCount).toString(16).padStart(8, '0') : null;
	if (status === smpp.ESME_ROK) {
		summary.ok++;
	} else {
		const name = statusName(status);
		summary.errors[name] = (summary.errors[name] || 0) + 1;
	}
	if (!opts.quiet) {
		const fields = plain(pdu);
		if (pdu.short_message && pdu.short_message.raw) {
			fields.short_message_raw = pdu.short_message.raw.toString('hex');
			fields.short_message_udh = pdu.short_message.rawUdh ? pdu.short_message.rawUdh.toString('hex') : null;
		}
		emit('submit', {
			session: session.id,
			command: pdu.command,
			sequence_number: pdu.sequence_number,
			status: status,
			status_name: statusName(status),
			message_id: messageId,
			fields: fields,
		});
	}
	if (answerWithFault(session, pdu)) {
		return;
	}
	if (status !== smpp.ESME_ROK) {
		session.send(pdu.response({command_status: status}));
		return;
	}
	if (pdu.command === 'submit_multi') {
		session.send(pdu.response({message_id: messageId, unsuccess_sme: []}));
	} else {
		session.send(pdu.response({message_id: messageId}));
	}
	collectMessage(session, pdu, messageId);
	if (opts.receipts) {
		queueReceipt(session, pdu, messageId, new Date());
	}
}

function onSession(session) {
	session.id = ++sessionCount;
	session.mode = null;
	session.systemId = null;
	session.closed = false;
	const remote = session.socket.remoteAddress + ':' + session.socket.remotePort;
	emit('connect', {session: session.id, remote: remote, tls: !!opts.tlsCert});

	session.on('pdu', (pdu) => {
		if (!opts.quiet) {
			emit('pdu', {
				session: session.id,
				command: pdu.command,
				command_id: pdu.command_id,
				command_status: pdu.command_status,
				sequence_number: pdu.sequence_number,
			});
		}
		if (opts.silent || (opts.silentAfterBind && !(pdu.command in BIND_MODES))) {
			return;
		}
		if (pdu.command in BIND_MODES) {
			onBind(session, pdu);
		} else if (pdu.command === 'submit_sm' || pdu.command === 'data_sm' || pdu.command === 'submit_multi') {
			onSubmit(session, pdu);
		} else if (pdu.command === 'enquire_link') {
			if (!opts.quiet) {
				emit('enquire_link', {session: session.id, sequence_number: pdu.sequence_number});
			}
			session.send(pdu.response());
		} else if (pdu.command === 'unbind') {
			emit('unbind', {session: session.id, system_id: session.systemId, sequence_number: pdu.sequence_number});
			boundSessions.delete(session);
			session.send(pdu.response(), () => session.close());
		} else if (pdu.command === 'query_sm') {
			session.send(pdu.response({message_id: pdu.message_id, final_date: '', message_state: 2, error_code: 0}));
		} else if (pdu.command === 'cancel_sm' || pdu.command === 'replace_sm') {
			session.send(pdu.response());
		} else if (pdu.command === 'unknown') {
			session.send(pdu.response()); // generic_nack, ESME_RINVCMDID
		} else if (!pdu.isResponse()) {
			session.send(pdu.response({command_status: smpp.ESME_RINVCMDID}));
		}
	});
	session.on('error', (err) => {
		emit('error', {session: session.id, message: String(err && err.message || err)});
		session.destroy();
	});
	session.on('close', () => {
		session.closed = true;
		boundSessions.delete(session);
		emit('close', {session: session.id, system_id: session.systemId});
	});
}

// ---------------------------------------------------------------- server

let serverOptions = {};
if (opts.tlsCert) {
	serverOptions = {cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey)};
}
const server = smpp.createServer(serverOptions, onSession);
server.on('tlsClientError', (err) => emit('error', {message: 'TLS: ' + err.message}));
server.on('error', (err) => {
	emit('error', {message: String(err && err.message || err)});
	process.exit(1);
});
server.listen(opts.port, opts.host, () => {
	emit('listening', {host: opts.host, port: server.address().port, tls: !!opts.tlsCert});
});

let stopping = false;
function stop(reason) {
	if (stopping) {
		return;
	}
	stopping = true;
	emit('summary', Object.assign({reason: reason}, summary));
	for (const s of server.sessions.slice()) {
		s.destroy();
	}
	server.close();
	// Do not wait for sockets that linger: the caller wants the process gone.
	setTimeout(() => process.exit(0), 50).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.stdout.on('error', () => process.exit(0)); // reader went away
if (!opts.ignoreStdin) {
	process.stdin.on('end', () => stop('stdin closed'));
	process.stdin.on('close', () => stop('stdin closed'));
	process.stdin.on('error', () => stop('stdin closed'));
	process.stdin.resume();
}
