#!/usr/bin/python3
"""Checks a tunnel end without dplb: ipip_probe.py IFACE OUTER_DST VIP.

Sends, from this namespace, an IP-in-IP packet to OUTER_DST wrapping a TCP SYN from this host's
address on IFACE to VIP:80, and waits up to 5 s for the SYN-ACK to come back from VIP (not
encapsulated). Prints the SYN-ACK's summary and exits 0, or exits 1. Needs scapy (/usr/bin/python3).
"""
import sys
import time

from scapy.all import IP, TCP, AsyncSniffer, conf, get_if_addr, send


def main() -> int:
    iface, outer_dst, vip = sys.argv[1:4]
    conf.verb = 0
    me = get_if_addr(iface)
    syn = IP(src=me, dst=outer_dst) / IP(src=me, dst=vip, flags="DF") / TCP(sport=40404, dport=80, flags="S",
                                                                            seq=1000)
    sniffer = AsyncSniffer(iface=iface, count=1, timeout=5,
                           lfilter=lambda p: IP in p and TCP in p and p[IP].src == vip and p[TCP].flags == "SA"
                           and p[TCP].ack == 1001)
    sniffer.start()
    time.sleep(0.3)  # the sniffer's socket is open before the SYN leaves
    send(syn, iface=iface)
    sniffer.join()
    got = sniffer.results or []
    if not got:
        print("no SYN-ACK from %s" % vip)
        return 1
    print(got[0].summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
