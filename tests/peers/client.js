#!/usr/bin/env node
'use strict';
// A node-smpp client for benchmarks and manual checks: bind, send N submit_sm with
// at most W in flight, unbind, print one JSON summary line:
//   {"sent":N,"ok":N,"errors":{"ESME_RTHROTTLED":n},"elapsed_ms":T,"cpu_user_ms":U,"cpu_system_ms":S}
//
// Flags: --host (127.0.0.1) --port (2775) --count N (1) --window W (1)
//        --system-id ID (bench) --password PW (secret) --bind-mode tx|trx (tx)
//        --text TEXT ("benchmark message") --from ADDR --to ADDR --tls
//        --registered-delivery N (0)

const path = require('path');
const smpp = require(path.join(__dirname, 'node_modules', 'smpp'));

function parseArgs(argv) {
	const o = {
		host: '127.0.0.1', port: 2775, count: 1, window: 1, systemId: 'bench', password: 'secret',
		bindMode: 'tx', text: 'benchmark message', from: '15550001111', to: '15550002222', tls: false,
		registeredDelivery: 0,
	};
	const names = {
		'--host': ['host', String], '--port': ['port', Number], '--count': ['count', Number],
		'--window': ['window', Number], '--system-id': ['systemId', String], '--password': ['password', String],
		'--bind-mode': ['bindMode', String], '--text': ['text', String], '--from': ['from', String],
		'--to': ['to', String], '--registered-delivery': ['registeredDelivery', Number],
	};
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--tls') {
			o.tls = true;
			continue;
		}
		const spec = names[argv[i]];
		if (!spec || argv[i + 1] === undefined) {
			process.stderr.write('client.js: bad argument ' + argv[i] + '\n');
			process.exit(2);
		}
		o[spec[0]] = spec[1](argv[++i]);
	}
	if (!(o.window >= 1) || !(o.count >= 0)) {
		process.stderr.write('client.js: --window must be >= 1 and --count >= 0\n');
		process.exit(2);
	}
	return o;
}

function statusName(code) {
	for (const name in smpp.errors) {
		if (smpp.errors[name] === code) {
			return name;
		}
	}
	return '0x' + code.toString(16).padStart(8, '0');
}

const o = parseArgs(process.argv.slice(2));
const result = {sent: 0, ok: 0, errors: {}, elapsed_ms: 0, cpu_user_ms: 0, cpu_system_ms: 0};
const cpu0 = process.cpuUsage();
let t0 = 0;
let inFlight = 0;
let done = 0;

function finish(code) {
	const cpu = process.cpuUsage(cpu0);
	result.elapsed_ms = t0 ? Number(process.hrtime.bigint() - t0) / 1e6 : 0;
	result.cpu_user_ms = cpu.user / 1000;
	result.cpu_system_ms = cpu.system / 1000;
	process.stdout.write(JSON.stringify(result) + '\n');
	process.exit(code);
}

const session = smpp.connect({host: o.host, port: o.port, tls: o.tls, rejectUnauthorized: false});
session.on('error', (err) => {
	process.stderr.write('client.js: ' + err.message + '\n');
	finish(1);
});

function pump() {
	while (inFlight < o.window && result.sent < o.count) {
		inFlight++;
		result.sent++;
		session.submit_sm({
			source_addr_ton: 1, source_addr_npi: 1, source_addr: o.from,
			dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: o.to,
			registered_delivery: o.registeredDelivery,
			data_coding: 0,
			short_message: o.text,
		}, (resp) => {
			inFlight--;
			done++;
			if (resp.command_status === 0) {
				result.ok++;
			} else {
				const name = statusName(resp.command_status);
				result.errors[name] = (result.errors[name] || 0) + 1;
			}
			if (done === o.count) {
				session.unbind(() => {
					session.close();
					finish(0);
				});
			} else {
				pump();
			}
		});
	}
}

session.on(o.tls ? 'secureConnect' : 'connect', () => {
	const bind = o.bindMode === 'trx' ? 'bind_transceiver' : 'bind_transmitter';
	session[bind]({system_id: o.systemId, password: o.password}, (resp) => {
		if (resp.command_status !== 0) {
			process.stderr.write('client.js: bind failed: ' + statusName(resp.command_status) + '\n');
			finish(1);
		}
		t0 = process.hrtime.bigint();
		if (o.count === 0) {
			session.unbind(() => finish(0));
			return;
		}
		pump();
	});
});
session.on('deliver_sm', (pdu) => session.send(pdu.response()));
