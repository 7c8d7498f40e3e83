#!/usr/bin/python3
"""Writes the seed corpora of config_loader_fuzz, dpip_parser_fuzz, ipvsadm_parser_fuzz and
pipeline_fuzz into tests/fuzz/corpus/<target>/ (request_decoder: make_request_decoder_corpus.py).

Run with Debian's python (scapy builds the pipeline's frames): /usr/bin/python3 tests/fuzz/make_corpora.py
The pipeline seeds follow pipeline_entry.h: records [flags: bit 0 = port][length LE16][frame], and
its addresses and MACs.
"""
import os
import struct

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, IPOption_RR, Raw, fragment, raw

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, seeds):
    """Rewrites the seeds; keeps found_* files (inputs a fuzzer found a bug with: regression tests)."""
    out = os.path.join(CORPUS, target)
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if not name.startswith("found_"):
            os.remove(os.path.join(out, name))
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


# --- config loader: TOML texts --------------------------------------------------------------------
with open(os.path.join(HERE, "..", "..", "conf", "dplb.toml.sample")) as f:
    SAMPLE = f.read()

CONFIG = {
    "sample": SAMPLE,
    "empty": "",
    "global_only": '[global]\nlog_level = "debug"\nforwarding = true\n',
    "ports_two": '[ports.dpdk0]\naddresses = ["10.0.0.1/24", "10.0.0.100"]\nmtu = 9000\n'
                 '[ports.dpdk1]\naddresses = ["10.1.0.1/24"]\nkni = true\nunclaimed = "drop"\n',
    "workers": '[[workers]]\nlcore = 1\nqueues = [{ port = "dpdk0", rx = 0, tx = 0 }, { port = "dpdk1", rx = 0 }]\n'
               '[[workers]]\nlcore = 2\nqueues = [{ port = "dpdk0", rx = 1, tx = 1 }]\n',
    "workers_same_lcore": '[[workers]]\nlcore = 1\n[[workers]]\nlcore = 1\n',
    "workers_main_lcore": '[[workers]]\nlcore = 0\nqueues = [{ port = "dpdk0", rx = 0 }]\n',
    "queues_beyond_device": '[ports.dpdk1]\nrx_queues = 64\ntx_queues = 3\n',
    "bad_types": '[global]\nforwarding = "yes"\n[dataplane]\nidle_polls = -1\nmbuf_cache = 100000\n',
    "unknown_keys": '[global]\nnope = 1\n[whatever]\nx = 2\n[ports.eth0]\nmtu = 1500\n',
    "bad_port_names": '[ports.dpdk00]\nmtu = 1500\n[ports.dpdk99]\nmtu = 1500\n',
    "bad_address": '[ports.dpdk0]\naddresses = ["10.0.0.1/33", "300.1.1.1", "", 5]\n',
    "bad_toml": '[global\nlog_level = \n',
    "unterminated_string": '[global]\nlog_level = "info\n',
    "inline_tables": 'ctrl = { socket = "/tmp/x.ipc", msg_timeout_ms = 0 }\neal.args = ["-l", "0"]\n',
    "ipvs_limits": '[ipvs]\nconn_capacity = 16777217\n[ctrl]\nmsg_burst = 4097\n',
    "dates_floats": '[global]\nlog_level = 1979-05-27T07:32:00Z\n[dataplane]\nidle_sleep_us = 1.5e3\n',
    "arrays_of_tables": '[[ports]]\nmtu = 1\n[[global]]\n',
    "unicode": '[global]\nlog_level = "\u00e9\u4e2d"\n# \U0001F600\n',
    "quoted_key_newline": '[global]\n"log\\nlevel" = "info"\n[ports."dpdk0\\r"]\nmtu = 1500\n',
    "relative_paths": '[global]\ndpip_batch = ["a.batch", "/abs/b.batch", "../c"]\nipvs_rules = "r.ipvs"\n',
}

# --- dpip: a command line, then batch lines --------------------------------------------------------
DPIP = {
    "link_show": "link show",
    "link_show_dev_stats": "-s -s link show dpdk0",
    "json_addr": "-j -p addr show dev dpdk1",
    "addr_add": "addr add 10.0.0.1/24 dev dpdk0",
    "addr_add_scope": "address add 127.0.0.5 dev dpdk0 scope host",
    "addr_del_flush": "addr del 10.0.0.1/24 dev dpdk0\naddr flush dev dpdk0",
    "neigh_add": "neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0",
    "neigh_bad_mac": "neigh add 10.0.0.2 lladdr 02:00:00:00:00 dev dpdk0",
    "neigh_del_show_flush": "neigh del 10.0.0.2 dev dpdk0\nneigh show dev dpdk0\nneigh flush dev dpdk1",
    "route_add_via": "route add 192.168.0.0/16 via 10.0.0.254 dev dpdk0 metric 10 mtu 1400 src 10.0.0.1",
    "route_default": "route add default via 10.0.0.254",
    "route_multipath": "route add 0.0.0.0/0 nexthop via 10.0.0.254 dev dpdk0 weight 1 "
                       "nexthop via 10.1.0.254 dev dpdk1 weight 256 onlink",
    "route_replace_append": "route replace 10.9.0.0/16 dev dpdk1 scope link\nroute append 10.9.0.0/16 via 10.0.0.9",
    "route_del": "route del 192.168.0.0/16 via 10.0.0.254",
    "route_show_tables": "route show table local\nroute show table all dev dpdk0 via 10.0.0.254\n"
                         "route flush 10.0.0.0/8",
    "route_get": "route get 8.8.8.8 from 10.0.0.1 oif dpdk0",
    "sync_show": "sync show",
    "help_version": "-V\nhelp\nroute help\naddr help",
    "batch_force": "-force -batch /tmp/x.batch\nroute add 1.2.3.0/24 dev dpdk0\n# comment\n"
                   "route add \"5.6.7.0/24\" dev 'dpdk1'",
    "socket_option": "-x /tmp/dplb.ipc -v link show",
    "bad_words": "route add 1.2.3.4/40 via nowhere weight 0\naddr add 10.0.0.1/24\nfoo bar\n\"unterminated",
    "abbreviations": "r a 10.1.0.0/16 dev dpdk1\na s\nn s\nl s dpdk1",
}

# --- ipvsadm: command lines and rules text ---------------------------------------------------------
IPVSADM = {
    "add_service": "-A -t 10.0.0.100:80 -s rr",
    "add_dest": "-a -t 10.0.0.100:80 -r 10.1.0.11:8080 -m -w 3",
    "rules_file": "-A -t 10.0.0.100:80 -s wrr\n-a -t 10.0.0.100:80 -r 10.1.0.11:8080 -m -w 1\n"
                  "-a -t 10.0.0.100:80 -r 10.1.0.12 -m -w 2\n-A -u 10.0.0.100:53 -s sh -b sh-port\n"
                  "-a -u 10.0.0.100:53 -r 10.1.0.11:53 -m\n",
    "save_format": "-A -t 10.0.0.100:http -s wlc\n-a -t 10.0.0.100:http -r 10.1.0.11:webcache -m -w 1\n",
    "edit_delete": "-E -t 10.0.0.100:80 -s lc\n-e -t 10.0.0.100:80 -r 10.1.0.11:8080 -m -w 0\n"
                   "-d -t 10.0.0.100:80 -r 10.1.0.11:8080\n-D -t 10.0.0.100:80\n-C\n",
    "long_options": "--add-service --tcp-service 10.0.0.100:80 --scheduler mh --sched-flags mh-fallback,mh-port\n"
                    "--add-server --tcp-service 10.0.0.100:80 --real-server 10.1.0.11:80 --masquerading --weight 5",
    "set_timeouts": "--set 900 120 300\n-Z\n-Z -t 10.0.0.100:80",
    "list": "-L -n\n-Ln --stats\n-l -c -n\n-L --timeout\n-L -t 10.0.0.100:80 --rate --exact",
    "save_restore": "-S -n\n-R\n-h\n-v",
    "unsupported": "-A -t 10.0.0.100:80 -p 300\n-a -t 10.0.0.100:80 -r 10.1.0.11 -g\n-A -f 1\n-A -t [::1]:80",
    "bad": "-A -t 10.0.0.100:99999\n-A -s rr\n-a -t 10.0.0.100:80 -w 70000 -r 10.1.0.11\n-Q\n-A -t :80\n--set 1 2",
    "comments": "# saved\nipvsadm -A -t 10.0.0.100:80 -s rr # tail\n\r\n\t-a -t 10.0.0.100:80 -r 10.1.0.11 -m\n",
    "no_scheduler": "-A -t 10.0.0.100:80 -s nosuch\n-A -u 10.0.0.100:53 -s",
    "attached_args": "-A -t10.0.0.100:80 -srr\n-a -t 10.0.0.100:80 -r10.1.0.11 -m -w1",
}

# --- pipeline: frames (pipeline_entry.h) -----------------------------------------------------------
MAC0, MAC1 = "02:00:00:00:00:a0", "02:00:00:00:00:a1"
CLIENT, CLIENT_MAC = "10.0.0.2", "02:00:00:00:00:02"
VIP = "10.0.0.100"
RS1, RS1_MAC = "10.1.0.11", "02:00:00:00:01:11"
RS2, RS2_MAC = "10.1.0.12", "02:00:00:00:01:12"
GW0_MAC, GW1_MAC = "02:00:00:00:00:fe", "02:00:00:00:01:fe"


def rec(port, frame):
    b = raw(frame) if not isinstance(frame, bytes) else frame
    return struct.pack("<BH", port, len(b)) + b


def frames(*pairs):
    return b"".join(rec(p, f) for p, f in pairs)


def c2v(flags="S", sport=40000, dport=80, seq=1000, ack=0, payload=b"", **ip):
    return Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, **ip) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack) / Raw(payload)


def s2c(flags="A", rs=RS1, sport=40000, seq=5001, ack=1001, payload=b""):
    mac = RS1_MAC if rs == RS1 else RS2_MAC
    return Ether(dst=MAC1, src=mac) / IP(src=rs, dst=CLIENT) / \
        TCP(sport=8080, dport=sport, flags=flags, seq=seq, ack=ack) / Raw(payload)


def udp_c2v(sport=5353, dport=53, payload=b"query"):
    return Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP) / UDP(sport=sport, dport=dport) / Raw(payload)


udp_to_rs = IP(src=CLIENT, dst=RS1, ttl=63) / UDP(sport=5353, dport=53) / Raw(b"query")
big = Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="172.16.1.1") / UDP(sport=1, dport=2) / Raw(b"x" * 1450)
big_df = Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, flags="DF") / \
    TCP(sport=40000, dport=80, flags="A", seq=1001, ack=5001) / Raw(b"y" * 1440)

PIPELINE = {
    "syn_new_conn": frames((0, c2v("S", sport=41000))),
    "established_data": frames((0, c2v("PA", seq=1001, ack=5001, payload=b"GET / HTTP/1.0\r\n\r\n")),
                               (1, s2c("PA", payload=b"HTTP/1.0 200 OK\r\n\r\n"))),
    "fin_rst": frames((0, c2v("FA", seq=1001, ack=5001)), (1, s2c("FA")), (0, c2v("R", sport=40001, seq=7001))),
    "synack_for_half_open": frames((1, s2c("SA", rs=RS2, sport=40001, seq=9000, ack=7001))),
    "no_connection_reply": frames((1, s2c("A", sport=45000))),
    "udp_new_and_existing": frames((0, udp_c2v(sport=6000)), (0, udp_c2v()),
                                   (1, Ether(dst=MAC1, src=RS1_MAC) / IP(src=RS1, dst=CLIENT) /
                                    UDP(sport=53, dport=5353) / Raw(b"answer"))),
    "drained_service": frames((0, c2v("S", dport=443))),
    "no_service_port": frames((0, c2v("S", dport=22)), (0, udp_c2v(dport=54))),
    "icmp_echo": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="10.0.0.1") / ICMP() / Raw(b"ping")),
                        (0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP) / ICMP(id=7, seq=1))),
    "icmp_error_for_conn": frames((1, Ether(dst=MAC1, src=RS1_MAC) / IP(src=RS1, dst=CLIENT) /
                                   ICMP(type=3, code=3) / Raw(raw(udp_to_rs)[:28]))),
    "icmp_error_from_client": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP) /
                                      ICMP(type=3, code=4, nexthopmtu=1200) /
                                      Raw(raw(IP(src=VIP, dst=CLIENT) / TCP(sport=80, dport=40000))[:28]))),
    "arp_request": frames((0, Ether(dst="ff:ff:ff:ff:ff:ff", src=CLIENT_MAC) /
                           ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT, pdst=VIP))),
    "arp_reply_resolves_queue": frames(
        (0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="172.16.0.9") / UDP() / Raw(b"a")),
        (1, Ether(dst=MAC1, src="02:00:00:00:02:09") / ARP(op=2, hwsrc="02:00:00:00:02:09", psrc="172.16.0.9",
                                                         hwdst=MAC1, pdst="10.1.0.1"))),
    "arp_garbage": frames((0, Ether(dst=MAC0, src=CLIENT_MAC, type=0x0806) / Raw(b"\x00\x01\x08\x00\x06")),
                          (1, Ether(dst="ff:ff:ff:ff:ff:ff", src=RS1_MAC) /
                           ARP(op=1, hwsrc=RS1_MAC, psrc="10.1.0.1", pdst="10.1.0.1"))),
    "forward_via_gateway": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="192.168.3.4", ttl=5) /
                                   TCP(sport=1234, dport=80))),
    "forward_multipath": frames(*[(1, Ether(dst=MAC1, src=RS2_MAC) / IP(src=RS2, dst="8.8.%d.8" % i) /
                                   UDP(sport=1000 + i, dport=53)) for i in range(4)]),
    "forward_onlink_unresolved": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="172.20.0.1") /
                                         UDP(sport=9, dport=9))),
    "ttl_expired": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="192.168.0.1", ttl=1) / UDP())),
    "fragment_needed": frames((0, big), (0, big_df)),
    "fragments_in": frames(*[(0, Ether(dst=MAC0, src=CLIENT_MAC) / f)
                             for f in fragment(IP(src=CLIENT, dst=VIP) / UDP(sport=5353, dport=53) /
                                               Raw(b"z" * 100), fragsize=48)]),
    "ip_options": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, options=[IPOption_RR()]) /
                          TCP(sport=40000, dport=80, flags="A"))),
    "bad_checksum_and_lengths": frames(
        (0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, chksum=0x1234) / UDP()),
        (0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, len=2000) / UDP()),
        (0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, ihl=15) / UDP()),
        (0, raw(Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP) / TCP())[:40])),
    "martian_and_spoofed": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src="127.0.0.1", dst=VIP) / UDP()),
                                  (0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=VIP, dst="10.0.0.1") / ICMP()),
                                  (0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="224.0.0.1") / UDP())),
    "ethernet_edge": frames((0, b"\x02\x00\x00"), (0, Ether(dst="02:00:00:00:00:99", src=CLIENT_MAC) / IP()),
                            (0, Ether(dst=MAC0, src="01:00:5e:00:00:01") / IP()),
                            (1, Ether(dst=MAC1, src=RS1_MAC, type=0x86dd) / Raw(b"\x60" + b"\x00" * 39))),
    "vip_to_local_unclaimed": frames((0, Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst="10.0.0.1", proto=47) /
                                      Raw(b"gre"))),
    "padded_short_frame": frames((0, raw(Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP) /
                                          UDP(sport=5353, dport=53)) + b"\x00" * 18)),
}

write("config_loader", CONFIG)
write("dpip_parser", DPIP)
write("ipvsadm_parser", IPVSADM)
write("pipeline", PIPELINE)
for t, s in (("config_loader", CONFIG), ("dpip_parser", DPIP), ("ipvsadm_parser", IPVSADM), ("pipeline", PIPELINE)):
    print("%s: %d seeds, %d bytes" % (t, len(s), sum(len(v) if isinstance(v, bytes) else len(v.encode())
                                                      for v in s.values())))
