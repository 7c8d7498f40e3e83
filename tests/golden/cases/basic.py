"""Foundation cases: Ethernet, ARP, IPv4 input validation, ICMP echo."""
from scapy.all import ARP, ICMP, IP, UDP, Ether, Raw, raw

from golden import Case, Port, pcap_mac

US = "10.0.0.1"
PEER = "10.0.0.2"
PEER_MAC = "02:00:00:00:00:02"
MAC0 = pcap_mac(0)
ONE_PORT = [Port(addresses=[US + "/24"])]


def echo_request(ttl=64, dst_mac=MAC0, payload=b"dplb-golden", **ip):
    return Ether(dst=dst_mac, src=PEER_MAC) / IP(src=PEER, dst=US, ttl=ttl, id=0x4242, **ip) / \
        ICMP(type=8, id=0x77, seq=1) / Raw(payload)


def echo_reply(payload=b"dplb-golden"):
    return Ether(dst=PEER_MAC, src=MAC0) / IP(src=US, dst=PEER, ttl=64, id=0x4242) / \
        ICMP(type=0, id=0x77, seq=1) / Raw(payload)


def with_bad_ip_checksum(pkt):
    b = bytearray(raw(pkt))
    b[14 + 10] ^= 0xff
    return Ether(bytes(b))


def udp_to_us(**ip):
    return Ether(dst=MAC0, src=PEER_MAC) / IP(src=PEER, dst=US, **ip) / UDP(sport=1000, dport=2000) / Raw(b"x" * 20)


CASES = [
    Case("arp_request_for_us", "ARP request for our address gets the exact reply",
         ONE_PORT,
         inputs={0: [Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                     ARP(op=1, hwsrc=PEER_MAC, psrc=PEER, hwdst="00:00:00:00:00:00", pdst=US)]},
         expected={0: [Ether(dst=PEER_MAC, src=MAC0) /
                       ARP(op=2, hwsrc=MAC0, psrc=US, hwdst=PEER_MAC, pdst=PEER)]}),
    Case("arp_request_for_other", "ARP request for an address we do not own gets nothing",
         ONE_PORT,
         inputs={0: [Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                     ARP(op=1, hwsrc=PEER_MAC, psrc=PEER, pdst="10.0.0.9")]},
         expected={}, drops={"arp_not_ours": 1}),
    Case("arp_spoofing_our_address", "ARP claiming our own address as sender is dropped, not learned",
         ONE_PORT,
         inputs={0: [Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                     ARP(op=1, hwsrc=PEER_MAC, psrc=US, pdst=US)]},
         expected={}, drops={"arp_bad_sender": 1}),
    Case("arp_malformed", "ARP with a wrong hardware length is dropped",
         ONE_PORT,
         inputs={0: [Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                     ARP(op=1, hwlen=8, hwsrc=PEER_MAC, psrc=PEER, pdst=US)]},
         expected={}, drops={"arp_malformed": 1}),
    Case("icmp_echo", "echo request to our address gets the exact echo reply",
         ONE_PORT, inputs={0: [echo_request()]}, expected={0: [echo_reply()]}),
    Case("icmp_echo_large", "echo request of 1472 payload bytes is answered intact",
         ONE_PORT, inputs={0: [echo_request(payload=bytes(range(256)) * 5 + b"z" * 192)]},
         expected={0: [echo_reply(payload=bytes(range(256)) * 5 + b"z" * 192)]}),
    Case("icmp_bad_checksum", "echo request with a bad ICMP checksum is dropped",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=8, chksum=0x1234)]},
         expected={}, drops={"icmp_bad_checksum": 1}),
    Case("icmp_unhandled_type", "ICMP timestamp request to us is not answered",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC) / IP(src=PEER, dst=US) / ICMP(type=13)]},
         expected={}, drops={"icmp_unhandled": 1}),
    Case("ipv4_bad_checksum", "IPv4 header checksum mismatch: nothing out, counted",
         ONE_PORT, inputs={0: [with_bad_ip_checksum(echo_request())]}, expected={},
         drops={"ipv4_bad_checksum": 1}),
    Case("ipv4_truncated_header", "a frame holding only 12 bytes of IPv4 header is dropped",
         ONE_PORT, inputs={0: [Ether(raw(echo_request())[:14 + 12])]}, expected={},
         drops={"ipv4_too_short": 1}, pad_inputs=False),
    Case("ipv4_ihl_beyond_frame", "IHL says 60 bytes in a frame holding 40 bytes of IP",
         ONE_PORT, inputs={0: [Ether(raw(Ether(dst=MAC0, src=PEER_MAC) / IP(src=PEER, dst=US, len=40) /
                                         ICMP(type=8) / Raw(b"x" * 12))[:14] +
                                     b"\x4f" + raw(IP(src=PEER, dst=US, len=40) / ICMP(type=8) / Raw(b"x" * 12))[1:])]},
         expected={}, drops={"ipv4_bad_ihl": 1}, pad_inputs=False),
    Case("ipv4_total_length_beyond_frame", "total length 200 in a 60-byte frame is dropped",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC) / IP(src=PEER, dst=US, len=200) / ICMP(type=8)]},
         expected={}, drops={"ipv4_bad_total_len": 1}),
    Case("ipv4_ttl_zero", "a packet arriving with TTL 0 is dropped",
         ONE_PORT, inputs={0: [echo_request(ttl=0)]}, expected={}, drops={"ipv4_ttl_zero": 1}),
    Case("ipv4_bad_version", "IP version 6 in an IPv4 EtherType is dropped",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC, type=0x0800) / IP(src=PEER, dst=US, version=6) / ICMP()]},
         expected={}, drops={"ipv4_bad_version": 1}),
    Case("eth_wrong_destination_mac", "a frame to another MAC is dropped (not promiscuous)",
         ONE_PORT, inputs={0: [echo_request(dst_mac="02:00:00:00:00:99")]}, expected={},
         drops={"eth_not_for_us": 1}),
    Case("eth_unknown_type", "an IPv6 frame is dropped as an unknown EtherType",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC, type=0x86dd) / Raw(b"\x60" + b"\x00" * 39)]},
         expected={}, drops={"eth_unknown_type": 1}),
    Case("ipv4_options_to_us", "a packet to us with IP options is counted and dropped",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC) / IP(src=PEER, dst=US, options=b"\x01\x01\x01\x00") / ICMP(type=8)]},
         expected={}, drops={"ipv4_options": 1}),
    Case("ipv4_fragment_to_us", "a fragment to us is counted and dropped",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC) / IP(src=PEER, dst=US, flags="MF") / ICMP(type=8)]},
         expected={}, drops={"ipv4_fragment": 1}),
    Case("ipv4_martian_source", "a broadcast source address is dropped",
         ONE_PORT, inputs={0: [Ether(dst=MAC0, src=PEER_MAC) / IP(src="255.255.255.255", dst=US) / ICMP(type=8)]},
         expected={}, drops={"ipv4_bad_source": 1}),
    Case("several_in_order", "ARP, echo and garbage in one file: replies in input order",
         ONE_PORT,
         inputs={0: [Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                     ARP(op=1, hwsrc=PEER_MAC, psrc=PEER, pdst=US),
                     with_bad_ip_checksum(echo_request()),
                     echo_request()]},
         expected={0: [Ether(dst=PEER_MAC, src=MAC0) / ARP(op=2, hwsrc=MAC0, psrc=US, hwdst=PEER_MAC, pdst=PEER),
                       echo_reply()]},
         drops={"ipv4_bad_checksum": 1}),
]
