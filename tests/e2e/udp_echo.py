#!/usr/bin/python3
"""udp_echo.py ADDR PORT NAME: answers every datagram with NAME + ":" + the datagram."""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
name = sys.argv[3].encode()
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(name + b":" + data, peer)
