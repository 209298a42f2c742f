// Package live captures packets from network interfaces for icediag live.
//
// A Source reads the frames of one interface into capfile.Packet values,
// the same type the capture file readers produce, so that a live capture
// runs through exactly the decoder an offline capture does. The backend is
// chosen per platform at build time:
//
//   - Linux (default): AF_PACKET sockets in pure Go (packet(7)), no cgo and
//     no libpcap. The interface is put in promiscuous mode
//     (PACKET_MR_PROMISC), the kernel timestamps each frame
//     (SO_TIMESTAMPNS), a classic BPF program (the built-in filter, see
//     BuiltinFilter) runs in the kernel, and the kernel drop counters come
//     from PACKET_STATISTICS. Only the built-in filter is available.
//   - Windows: Npcap through gopacket's pcap package, which loads wpcap.dll
//     at run time without cgo. Filters are tcpdump expressions.
//   - Linux or macOS built with the libpcap tag (cgo): libpcap through
//     gopacket's pcap package. Filters are tcpdump expressions.
//
// Other platforms build, and Open reports ErrUnsupported.
//
// Several Sources are merged by capture timestamp with a Merger.
package live
