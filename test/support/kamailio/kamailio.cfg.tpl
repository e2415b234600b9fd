#!KAMAILIO
# Registrar/proxy for the test rig: WebSocket clients (browsers, JsSIP) and plain UDP SIP
# clients (baresip). {{NAME}} placeholders are filled by test/support/rig.ts; WITH_RTPENGINE
# is passed with `-A` when an rtpengine ng port is given.

debug=2
log_stderror=yes
memdbg=5
memlog=5
children=2
tcp_children=2
auto_aliases=no
disable_tcp=no
# HTTP upgrade requests carry no Content-Length.
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
dns=no
rev_dns=no
use_dns_cache=no

listen=udp:127.0.0.1:{{UDP_PORT}}
listen=tcp:127.0.0.1:{{WS_PORT}}
alias="{{DOMAIN}}"

mpath="{{MODULE_PATH}}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
#!ifdef WITH_RTPENGINE
loadmodule "rtpengine.so"
#!endif

# Locations only in memory: each test starts a fresh Kamailio.
modparam("usrloc", "db_mode", 0)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "natping_interval", 0)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 1)
modparam("websocket", "keepalive_mechanism", 0)
#!ifdef WITH_RTPENGINE
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:{{NG_PORT}}")
#!endif

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}

	# Readiness probe from the rig, and keepalives.
	if (is_method("OPTIONS") && uri==myself && $rU==$null) {
		sl_send_reply("200", "OK");
		exit;
	}

	# Every WebSocket client counts as NATed: its Contact is a random *.invalid host.
	if (nat_uac_test("64")) {
		force_rport();
		if (is_method("REGISTER")) {
			fix_nated_register();
		} else if (!add_contact_alias()) {
			sl_send_reply("400", "Bad Contact");
			exit;
		}
	}

	if (has_totag()) {
		if (loose_route()) {
			if (is_method("BYE")) {
				route(MEDIA_DELETE);
			}
			if (!isdsturiset()) {
				handle_ruri_alias();
			}
			# A re-INVITE (e.g. an ICE restart after the browser reconnected its WebSocket) needs
			# rtpengine exactly like the first INVITE, or the plain-RTP side gets WebRTC SDP.
			if (is_method("INVITE|UPDATE")) {
				route(MEDIA_OFFER);
			}
			route(RELAY);
			exit;
		}
		if (is_method("ACK") && t_check_trans()) {
			t_relay();
		}
		exit;
	}

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(MEDIA_DELETE);
			t_relay();
		}
		exit;
	}

	t_check_trans();

	if (is_method("REGISTER")) {
		if (!save("location")) {
			sl_reply_error();
		}
		exit;
	}

	if (is_method("INVITE|SUBSCRIBE|REFER")) {
		record_route();
	}

	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}

	if (is_method("INVITE")) {
		route(MEDIA_OFFER);
	}
	route(RELAY);
}

route[RELAY] {
	if (is_method("INVITE|BYE|UPDATE|CANCEL|ACK|INFO")) {
		t_on_reply("REPLY");
	}
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

# WebRTC (WS, ICE, DTLS-SRTP) on one side, plain RTP on the other: rtpengine bridges.
# Offers from a WS client towards a non-WS destination only (initial INVITEs and in-dialog
# re-INVITEs/UPDATEs alike); an offer from the plain side towards a browser is not bridged.
route[MEDIA_OFFER] {
#!ifdef WITH_RTPENGINE
	if (proto==WS && !($du =~ "transport=ws" || $ru =~ "transport=ws") && has_body("application/sdp")) {
		setflag(5);
		rtpengine_offer("trust-address replace-origin replace-session-connection ICE=remove RTP/AVP rtcp-mux-demux");
	}
#!endif
	return;
}

route[MEDIA_DELETE] {
#!ifdef WITH_RTPENGINE
	rtpengine_delete();
#!endif
	return;
}

onreply_route[REPLY] {
	if (nat_uac_test("64")) {
		add_contact_alias();
	}
#!ifdef WITH_RTPENGINE
	if (isflagset(5) && has_body("application/sdp")) {
		rtpengine_answer("trust-address replace-origin replace-session-connection ICE=force UDP/TLS/RTP/SAVPF rtcp-mux-require");
	}
#!endif
}

event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}
