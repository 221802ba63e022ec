#!/usr/bin/env node
'use strict';
// Print SMPP PDUs encoded by the npm package `smpp` (node-smpp), one JSON object
// per line: {"name": "...", "hex": "..."}.
//
// Every PDU is built with node-smpp's own PDU class and serialised by its own
// toBuffer(); nothing here writes PDU bytes by hand, and nothing touches the
// network. Sequence numbers are fixed, so the output is the same on every run.
//
// Known node-smpp habits kept on purpose (they are what real peers send):
// binds carry interface_version 0x50 unless told otherwise; text whose data_coding
// is left to node-smpp is labelled 0x01 even though it is encoded as GSM 03.38;
// responses with a non-zero command_status are sent without a body.
//
// Run after scripts/install-test-deps.sh:  node tests/peers/encode_node.js

const path = require('path');
const smpp = require(path.join(__dirname, 'node_modules', 'smpp'));

function pdu(command, seq, fields) {
	const options = Object.assign({sequence_number: seq}, fields || {});
	return new smpp.PDU(command, options).toBuffer();
}

const ABS_TIME = '240101120000000+';
const cases = [];
function add(name, buffer) {
	cases.push({name: name, hex: buffer.toString('hex')});
}

// Binds in the three modes, with node-smpp's default interface_version (0x50),
// plus one bind that asks for 3.4.
[['bind_transmitter', 1], ['bind_receiver', 2], ['bind_transceiver', 3]].forEach(([mode, seq]) => {
	add(mode, pdu(mode, seq, {
		system_id: 'nodeclient',
		password: 'pass1234',
		system_type: 'VMS',
		addr_ton: 1,
		addr_npi: 1,
		address_range: '^1555',
	}));
	add(mode + '_resp', pdu(mode + '_resp', seq, {system_id: 'NODESMSC'}));
});
add('bind_transceiver_v34', pdu('bind_transceiver', 4, {
	system_id: 'nodeclient',
	password: 'pass1234',
	interface_version: 0x34,
}));
add('bind_transceiver_resp_sc_interface_version', pdu('bind_transceiver_resp', 4, {
	system_id: 'NODESMSC',
	sc_interface_version: 0x34,
}));
add('bind_transmitter_resp_invpaswd', pdu('bind_transmitter_resp', 5, {
	command_status: smpp.ESME_RINVPASWD,
}));
add('outbind', pdu('outbind', 6, {system_id: 'NODESMSC', password: 'outpass'}));

// submit_sm: text with node-smpp's automatic data_coding (GSM 03.38 labelled 0x01),
// the same text with data_coding 0 asked for, Latin-1, UCS2 with an emoji.
const submitBase = {
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'NodeShop',
	dest_addr_ton: 1,
	dest_addr_npi: 1,
	destination_addr: '447700900456',
	registered_delivery: 1,
};
add('submit_sm_auto_coding', pdu('submit_sm', 10, Object.assign({}, submitBase, {
	short_message: 'Hello from node-smpp: 100€ [ok]',
})));
add('submit_sm_gsm', pdu('submit_sm', 11, Object.assign({}, submitBase, {
	data_coding: 0,
	short_message: 'Hello from node-smpp: 100€ [ok]',
})));
add('submit_sm_latin1', pdu('submit_sm', 12, Object.assign({}, submitBase, {
	data_coding: 3,
	short_message: 'Grüße aus Köln, ¿qué tal?',
})));
add('submit_sm_ucs2_emoji', pdu('submit_sm', 13, Object.assign({}, submitBase, {
	data_coding: 8,
	short_message: 'Привет 👋 node-smpp 🎉',
})));
add('submit_sm_tlvs', pdu('submit_sm', 14, Object.assign({}, submitBase, {
	service_type: 'CMT',
	esm_class: 0x03,
	protocol_id: 0,
	priority_flag: 2,
	schedule_delivery_time: ABS_TIME,
	validity_period: '000001000000000R',
	data_coding: 0,
	short_message: 'with tlvs',
	user_message_reference: 0x0102,
	source_port: 0x0B84,
	dest_port: 0x23F0,
	sar_msg_ref_num: 0x1234,
	sar_total_segments: 3,
	sar_segment_seqnum: 2,
	payload_type: 0,
	privacy_indicator: 1,
	language_indicator: 2,
	its_session_info: Buffer.from([0x01, 0x00]),
	ussd_service_op: 2,
})));
// A concatenated part with an 8-bit reference UDH; node-smpp sets esm_class 0x40.
add('submit_sm_udh8', pdu('submit_sm', 15, Object.assign({}, submitBase, {
	data_coding: 0,
	short_message: {
		udh: Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01]),
		message: 'first part of a two-part message',
	},
})));
// A 16-bit reference UDH on UCS2 text.
add('submit_sm_udh16_ucs2', pdu('submit_sm', 16, Object.assign({}, submitBase, {
	data_coding: 8,
	short_message: {
		udh: Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x02]),
		message: 'второй 🙂',
	},
})));
add('submit_sm_message_payload', pdu('submit_sm', 17, Object.assign({}, submitBase, {
	data_coding: 0,
	message_payload: 'a long text carried in message_payload instead of short_message',
})));
add('submit_sm_vendor_tlv', pdu('submit_sm', 18, Object.assign({}, submitBase, {
	data_coding: 0,
	short_message: 'vendor',
	more_messages_to_send: 1,
	congestion_state: 40,
})));

add('submit_sm_resp', pdu('submit_sm_resp', 10, {message_id: 'node-msg-0001'}));
add('submit_sm_resp_throttled', pdu('submit_sm_resp', 19, {command_status: smpp.ESME_RTHROTTLED}));
add('submit_sm_resp_msgqful', pdu('submit_sm_resp', 20, {command_status: smpp.ESME_RMSGQFUL}));

add('deliver_sm_receipt', pdu('deliver_sm', 30, {
	source_addr_ton: 1,
	source_addr_npi: 1,
	source_addr: '447700900456',
	dest_addr_ton: 5,
	dest_addr_npi: 0,
	destination_addr: 'NodeShop',
	esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
	data_coding: 0,
	short_message: 'id:node-msg-0001 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello from node',
	receipted_message_id: 'node-msg-0001',
	message_state: smpp.MESSAGE_STATE.DELIVERED,
	network_error_code: Buffer.from([0x03, 0x00, 0x00]),
}));
add('deliver_sm_mo_ucs2', pdu('deliver_sm', 31, {
	source_addr_ton: 1,
	source_addr_npi: 1,
	source_addr: '447700900456',
	dest_addr_ton: 1,
	dest_addr_npi: 1,
	destination_addr: '15550001111',
	data_coding: 8,
	short_message: 'ответ 👍',
}));
add('deliver_sm_resp', pdu('deliver_sm_resp', 30, {}));

add('enquire_link', pdu('enquire_link', 40));
add('enquire_link_resp', pdu('enquire_link_resp', 40));
add('unbind', pdu('unbind', 41));
add('unbind_resp', pdu('unbind_resp', 41));
add('generic_nack', pdu('generic_nack', 42, {command_status: smpp.ESME_RINVCMDID}));

add('data_sm', pdu('data_sm', 50, {
	service_type: 'WAP',
	source_addr_ton: 1,
	source_addr_npi: 1,
	source_addr: '15550001111',
	dest_addr_ton: 1,
	dest_addr_npi: 1,
	destination_addr: '15550002222',
	esm_class: 0,
	registered_delivery: 1,
	data_coding: 4,
	source_port: 0x23F0,
	dest_port: 0x0B84,
	message_payload: Buffer.from('0102030464617461', 'hex'),
	qos_time_to_live: 3600,
}));
add('data_sm_resp', pdu('data_sm_resp', 50, {
	message_id: 'ds-node-1',
	additional_status_info_text: 'accepted',
	delivery_failure_reason: 0,
}));

add('query_sm', pdu('query_sm', 60, {
	message_id: 'node-msg-0001',
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'NodeShop',
}));
add('query_sm_resp', pdu('query_sm_resp', 60, {
	message_id: 'node-msg-0001',
	final_date: ABS_TIME,
	message_state: smpp.MESSAGE_STATE.DELIVERED,
	error_code: 0,
}));
add('cancel_sm', pdu('cancel_sm', 61, {
	service_type: '',
	message_id: 'node-msg-0001',
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'NodeShop',
	dest_addr_ton: 1,
	dest_addr_npi: 1,
	destination_addr: '447700900456',
}));
add('cancel_sm_resp', pdu('cancel_sm_resp', 61));
add('replace_sm', pdu('replace_sm', 62, {
	message_id: 'node-msg-0001',
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'NodeShop',
	schedule_delivery_time: '',
	validity_period: ABS_TIME,
	registered_delivery: 1,
	sm_default_msg_id: 0,
	short_message: 'replaced text',
}));
add('replace_sm_resp', pdu('replace_sm_resp', 62));

add('submit_multi', pdu('submit_multi', 63, {
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'NodeShop',
	dest_address: [
		{dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900001'},
		{dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900002'},
		{dl_name: 'friends'},
	],
	registered_delivery: 1,
	data_coding: 0,
	short_message: 'to many',
}));
add('submit_multi_resp', pdu('submit_multi_resp', 63, {
	message_id: 'multi-1',
	unsuccess_sme: [
		{dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900002', error_status_code: smpp.ESME_RINVDSTADR},
	],
}));

add('alert_notification', pdu('alert_notification', 70, {
	source_addr_ton: 1,
	source_addr_npi: 1,
	source_addr: '447700900456',
	esme_addr_ton: 1,
	esme_addr_npi: 1,
	esme_addr: '15550001111',
	ms_availability_status: 0,
}));

add('broadcast_sm', pdu('broadcast_sm', 80, {
	service_type: '',
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'CBC',
	message_id: '',
	priority_flag: 0,
	schedule_delivery_time: '',
	validity_period: ABS_TIME,
	data_coding: 0,
	broadcast_area_identifier: [{format: smpp.BROADCAST_AREA_FORMAT.NAME, data: 'area51'}],
	broadcast_content_type: {network: smpp.NETWORK.GSM, content_type: 0x0000},
	broadcast_rep_num: 1,
	broadcast_frequency_interval: {unit: smpp.BROADCAST_FREQUENCY_INTERVAL.MINUTES, interval: 5},
	message_payload: 'broadcast text',
}));
add('broadcast_sm_resp', pdu('broadcast_sm_resp', 80, {message_id: 'bc-1'}));
add('query_broadcast_sm', pdu('query_broadcast_sm', 81, {
	message_id: 'bc-1',
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'CBC',
}));
add('query_broadcast_sm_resp', pdu('query_broadcast_sm_resp', 81, {
	message_id: 'bc-1',
	message_state: smpp.MESSAGE_STATE.ENROUTE,
	broadcast_area_identifier: [{format: smpp.BROADCAST_AREA_FORMAT.NAME, data: 'area51'}],
	broadcast_area_success: 50,
}));
add('cancel_broadcast_sm', pdu('cancel_broadcast_sm', 82, {
	service_type: '',
	message_id: 'bc-1',
	source_addr_ton: 5,
	source_addr_npi: 0,
	source_addr: 'CBC',
}));
add('cancel_broadcast_sm_resp', pdu('cancel_broadcast_sm_resp', 82));

process.stdout.write(cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
