#!/usr/bin/env node
'use strict';
// An SMPP client built on the npm package `smpp` (node-smpp), driven by flags, for the
// `smppdiag serve` interop tests. Prints one JSON line per thing it sees:
//   {"event":"bind","status":N}
//   {"event":"submit_resp","status":N,"message_id":"..."}
//   {"event":"deliver_sm","esm_class":N,"text":"...","receipted_message_id":"...","message_state":N}
//   {"event":"cancel_resp"|"replace_resp"|"query_resp","status":N,...}
//   {"event":"enquire_link_resp","status":N}
//   {"event":"unbind","status":N}, {"event":"server_unbind"}, {"event":"closed"}, {"event":"timeout"}
//
// Flags: --host (127.0.0.1) --port N --tls --system-id ID (test) --password PW (secret)
//        --mode tx|rx|trx (trx) --submit N (0) --text T --registered-delivery N (0)
//        --long-payload (one submit_sm with the text in message_payload)
//        --long-sar N (the text split in N submit_sm with SAR TLVs)
//        --receipts N (wait for N deliver_sm) --cancel --replace --query (on the first message id)
//        --enquire-link --stay (do not unbind; wait for the server to unbind) --timeout MS (5000)
//        --from ADDR --to ADDR --data-coding N --esm-class N

const path = require('path');
const smpp = require(path.join(__dirname, 'node_modules', 'smpp'));

const o = {
	host: '127.0.0.1', port: 0, tls: false, systemId: 'test', password: 'secret', mode: 'trx',
	submit: 0, text: 'hello from node-smpp', registeredDelivery: 0, longPayload: false, longSar: 0,
	receipts: 0, cancel: false, replace: false, query: false, enquireLink: false, stay: false,
	timeout: 5000, from: '15550001111', to: '15550002222', dataCoding: 0, esmClass: 0,
};
const flags = {
	'--tls': 'tls', '--long-payload': 'longPayload', '--cancel': 'cancel', '--replace': 'replace',
	'--query': 'query', '--enquire-link': 'enquireLink', '--stay': 'stay',
};
const values = {
	'--host': ['host', String], '--port': ['port', Number], '--system-id': ['systemId', String],
	'--password': ['password', String], '--mode': ['mode', String], '--submit': ['submit', Number],
	'--text': ['text', String], '--registered-delivery': ['registeredDelivery', Number],
	'--long-sar': ['longSar', Number], '--receipts': ['receipts', Number], '--timeout': ['timeout', Number],
	'--from': ['from', String], '--to': ['to', String], '--data-coding': ['dataCoding', Number],
	'--esm-class': ['esmClass', Number],
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	if (flags[argv[i]]) {
		o[flags[argv[i]]] = true;
	} else if (values[argv[i]] && argv[i + 1] !== undefined) {
		const [k, f] = values[argv[i]];
		o[k] = f(argv[++i]);
	} else {
		process.stderr.write('node_client.js: bad argument ' + argv[i] + '\n');
		process.exit(2);
	}
}

function out(obj) {
	process.stdout.write(JSON.stringify(obj) + '\n');
}

function textOf(v) {
	if (v === undefined || v === null) return null;
	if (Buffer.isBuffer(v)) return v.toString('latin1');
	if (typeof v === 'object' && v.message !== undefined) return textOf(v.message);
	return String(v);
}

let finished = false;
function finish(code) {
	if (finished) return;
	finished = true;
	setTimeout(() => process.exit(code), 20);
}

const timer = setTimeout(() => {
	out({event: 'timeout'});
	finish(1);
}, o.timeout);

const session = smpp.connect({host: o.host, port: o.port, tls: o.tls, rejectUnauthorized: false});
session.on('error', (err) => {
	out({event: 'error', message: err.message});
	finish(1);
});
session.on('close', () => {
	out({event: 'closed'});
	clearTimeout(timer);
	finish(0);
});

let pending = 0;
let receipts = 0;
let firstId = null;
let opsLeft = 0;

function maybeDone() {
	if (pending > 0 || receipts < o.receipts || opsLeft > 0) return;
	if (o.stay) return;
	session.unbind((resp) => {
		out({event: 'unbind', status: resp.command_status});
		clearTimeout(timer);
		session.close();
		finish(0);
	});
}

function submit(fields) {
	pending++;
	session.submit_sm(Object.assign({
		source_addr_ton: 1, source_addr_npi: 1, source_addr: o.from,
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: o.to,
		registered_delivery: o.registeredDelivery, data_coding: o.dataCoding, esm_class: o.esmClass,
	}, fields), (resp) => {
		pending--;
		const id = resp.message_id || null;
		if (id && firstId === null && resp.command_status === 0) firstId = id;
		out({event: 'submit_resp', seq: resp.sequence_number, status: resp.command_status, message_id: id});
		if (pending === 0) afterSubmits();
		maybeDone();
	});
}

function afterSubmits() {
	if (!firstId) return;
	const base = {message_id: firstId, source_addr_ton: 1, source_addr_npi: 1, source_addr: o.from};
	if (o.query) {
		opsLeft++;
		session.query_sm(base, (r) => {
			opsLeft--;
			out({event: 'query_resp', status: r.command_status, message_state: r.message_state});
			maybeDone();
		});
	}
	if (o.replace) {
		opsLeft++;
		session.replace_sm(Object.assign({short_message: 'replaced'}, base), (r) => {
			opsLeft--;
			out({event: 'replace_resp', status: r.command_status});
			maybeDone();
		});
	}
	if (o.cancel) {
		opsLeft++;
		session.cancel_sm(Object.assign({dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: o.to}, base), (r) => {
			opsLeft--;
			out({event: 'cancel_resp', status: r.command_status});
			maybeDone();
		});
	}
}

session.on('deliver_sm', (pdu) => {
	receipts++;
	out({
		event: 'deliver_sm', esm_class: pdu.esm_class, text: textOf(pdu.short_message),
		receipted_message_id: pdu.receipted_message_id || null,
		message_state: pdu.message_state === undefined ? null : pdu.message_state,
	});
	session.send(pdu.response());
	maybeDone();
});
session.on('enquire_link', (pdu) => {
	out({event: 'server_enquire_link'});
	session.send(pdu.response());
});
session.on('unbind', (pdu) => {
	out({event: 'server_unbind'});
	session.send(pdu.response());
});

session.on(o.tls ? 'secureConnect' : 'connect', () => {
	const bind = {tx: 'bind_transmitter', rx: 'bind_receiver', trx: 'bind_transceiver'}[o.mode];
	session[bind]({system_id: o.systemId, password: o.password}, (resp) => {
		out({event: 'bind', status: resp.command_status});
		if (resp.command_status !== 0) {
			clearTimeout(timer);
			session.close();
			finish(0);
			return;
		}
		if (o.enquireLink) {
			opsLeft++;
			session.enquire_link({}, (r) => {
				opsLeft--;
				out({event: 'enquire_link_resp', status: r.command_status});
				maybeDone();
			});
		}
		for (let i = 0; i < o.submit; i++) {
			if (o.longPayload) {
				submit({message_payload: o.text});
			} else if (o.longSar > 0) {
				const n = o.longSar;
				const size = Math.ceil(o.text.length / n);
				for (let k = 0; k < n; k++) {
					submit({
						short_message: o.text.slice(k * size, (k + 1) * size),
						sar_msg_ref_num: 0x1234 + i, sar_total_segments: n, sar_segment_seqnum: k + 1,
					});
				}
			} else {
				submit({short_message: o.text});
			}
		}
		if (o.submit === 0 && o.receipts === 0) setImmediate(maybeDone);
	});
});
