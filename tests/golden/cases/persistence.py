"""Persistence (ipvsadm -p TIMEOUT -M NETMASK): a client keeps the real server its first connection got,
through a connection template (listed by ipvsadm -Lnc with client port 0). Topology of nat.py."""
from scapy.all import IP, TCP, Ether

from cases.nat import CLIENT_MAC, MAC0, RS1, VIP, c2v, case, dnat

PERSIST_RULES = ["-A -t %s:80 -s rr -p 300" % VIP, "-a -t %s:80 -r %s:8080 -m -w 1" % (VIP, RS1),
                 "-a -t %s:80 -r 10.1.0.12:8080 -m -w 1" % VIP]
MASK_RULES = ["-A -t %s:80 -s rr -p 60 -M 255.255.255.0" % VIP] + PERSIST_RULES[1:]

_syn = c2v("S")
_syn2 = c2v("S", sport=40001)
_neighbour_syn = Ether(dst=MAC0, src=CLIENT_MAC) / IP(src="10.0.0.3", dst=VIP, ttl=64, id=11) / \
    TCP(sport=40002, dport=80, flags="S", seq=1000, window=8192)
_port_zero = c2v("S", sport=0)

CASES = [
    case("persist_same_server", "-p 300: the client's second connection goes to the first one's server (rr "
         "alone would pick the next), through the template listed with port 0",
         {0: [_syn, _syn2]}, {1: [dnat(_syn, RS1), dnat(_syn2, RS1)]}, rules=PERSIST_RULES,
         checks=[("ipvsadm", ["-Ln"], "TCP  10.0.0.100:80 rr persistent 300\n"),
                 ("ipvsadm", ["-Lnc"], "NONE        10.0.0.2:0         10.0.0.100:80      10.1.0.11:8080"),
                 ("ipvsadm", ["-Lnc"], "SYN_RECV    10.0.0.2:40001     10.0.0.100:80      10.1.0.11:8080"),
                 ("ipvsadm", ["-S", "-n"], "-A -t 10.0.0.100:80 -s rr -p 300\n")]),
    case("persist_netmask", "-p 60 -M 255.255.255.0: another client of the same /24 gets the same server",
         {0: [_syn, _neighbour_syn]}, {1: [dnat(_syn, RS1), dnat(_neighbour_syn, RS1)]}, rules=MASK_RULES,
         checks=[("ipvsadm", ["-Ln"], "TCP  10.0.0.100:80 rr persistent 60 mask 255.255.255.0\n"),
                 ("ipvsadm", ["-Lnc"], "NONE        10.0.0.0:0         10.0.0.100:80      10.1.0.11:8080"),
                 ("ipvsadm", ["-S", "-n"], "-A -t 10.0.0.100:80 -s rr -p 60 -M 255.255.255.0\n")]),
    case("persist_port_zero_refused", "source port 0 names templates: a packet from it is dropped and counted",
         {0: [_port_zero]}, {}, drops={"ipvs_port_zero": 1}, rules=PERSIST_RULES),
]
