"""Hostile frames for natgate's lab tests, built with scapy (an oracle independent of natgate's own code).

Usage: hostile_frames.py IFACE GATEWAY_MAC OWN_ADDRESS TARGET UDP_PORT TCP_PORT
Reads one case a line on standard input (its name, then its arguments), sends that case's frames on IFACE to the gateway's MAC and
answers "sent CASE N" (N frames). Datagrams go to TARGET:UDP_PORT from source port 40998, segments to
TARGET:TCP_PORT from 40999, so a capture behind the gateway can tell whether any got through.
"""
import sys

from scapy.all import ARP, Dot1Q, Ether, IP, IPOption_LSRR, IPOption_SSRR, Raw, TCP, UDP, conf
from scapy.all import IPOption_NOP, checksum, get_if_hwaddr, sendp

conf.verb = 0
iface, gateway_mac, own, target, udp_port, tcp_port = sys.argv[1:7]
udp_port = int(udp_port)
tcp_port = int(tcp_port)
mac = get_if_hwaddr(iface)
PAYLOAD = Raw(b"natgate hostile")


def eth(raw_ip=False):
    """The Ethernet header to the gateway; one in front of raw bytes says they are IPv4 (scapy cannot tell)."""
    return Ether(src=mac, dst=gateway_mac, type=0x0800) if raw_ip else Ether(src=mac, dst=gateway_mac)


def datagram(src=None, **ip):
    return eth() / IP(src=src or own, dst=target, **ip) / UDP(sport=40998, dport=udp_port) / PAYLOAD


def segment(flags, src=None):
    return eth() / IP(src=src or own, dst=target) / TCP(sport=40999, dport=tcp_port, flags=flags, seq=1000)


def header_bytes(packet, length):
    """The first bytes of an IP packet scapy built whole (its lengths and checksums filled in), cut short."""
    return Raw(bytes(packet)[:length])


def with_options(options):
    """A datagram whose IPv4 header carries these 4 bytes of options as they are (scapy would parse them), its
    header checksum computed again over them."""
    packet = bytearray(bytes(IP(src=own, dst=target, options=[IPOption_NOP()] * 4) /
                             UDP(sport=40998, dport=udp_port) / PAYLOAD))
    packet[20:24] = options
    packet[10:12] = b"\x00\x00"
    packet[10:12] = checksum(bytes(packet[:24])).to_bytes(2, "big")
    return eth(True) / Raw(bytes(packet))


def arp(operation, claimed_address, target_address):
    return eth() / ARP(op=operation, hwsrc=mac, psrc=claimed_address, hwdst=gateway_mac if operation == 2 else
                       "00:00:00:00:00:00", pdst=target_address)


CASES = {
    "valid": lambda args: [datagram()],
    # 12 bytes of IPv4 header: shorter than any header
    "truncated-ip-header": lambda args: [eth(True) / header_bytes(IP(src=own, dst=target) / UDP(dport=udp_port), 12)],
    # a whole IPv4 header (total length 30) carrying 10 bytes of a TCP header
    "truncated-tcp-header": lambda args: [eth() / IP(src=own, dst=target, proto=6) /
                                     header_bytes(TCP(sport=40999, dport=tcp_port, flags="S"), 10)],
    "bad-ihl": lambda args: [datagram(ihl=4), eth() / IP(src=own, dst=target, ihl=15) / UDP(sport=40998, dport=udp_port)],
    "bad-total-length": lambda args: [datagram(len=400), datagram(len=12)],
    "source-routed": lambda args: [datagram(options=[IPOption_LSRR(routers=[target])]),
                              datagram(options=[IPOption_SSRR(routers=[target])])],
    # a timestamp option claiming 1 byte, and a record-route option running past the header
    "malformed-ip-options": lambda args: [with_options(b"\x44\x01\x00\x00"), with_options(b"\x07\x28\x04\x00")],
    "from-sources": lambda args: [datagram(src=source) for source in args],
    # a reply nobody asked for, about an address the gateway does not know (args: that address, the gateway's)
    "arp-unsolicited": lambda args: [arp(2, args[0], args[1])],
    # a known neighbour's address claimed for this host's MAC, by reply and by request (args: it, the gateway's)
    "arp-spoof": lambda args: [arp(2, args[0], args[1]), arp(1, args[0], args[1])],
    "bad-tcp-flags": lambda args: [segment("SF"), segment(""), segment("F"), segment("SR"), segment("FPU")],
    # the same first fragment twice (to the next port: the first is a real first fragment), and a TCP
    # fragment at offset 8 that would overwrite the TCP header
    "overlapping-fragments": lambda args: [eth() / IP(src=own, dst=target, id=4242, flags="MF") /
                                      UDP(sport=40997, dport=udp_port + 1, len=64) / Raw(b"x" * 16)] * 2 +
                                     [eth() / IP(src=own, dst=target, id=4243, flags="MF", frag=1, proto=6) /
                                      Raw(b"y" * 16)],
    "vlan-tagged": lambda args: [eth() / Dot1Q(vlan=10) / IP(src=own, dst=target) / UDP(sport=40998, dport=udp_port) /
                            PAYLOAD],
}


def main():
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        name = words[0]
        frames = CASES[name](words[1:])
        sendp(frames, iface=iface)
        print("sent", name, len(frames), flush=True)


print("ready", mac, flush=True)
main()
