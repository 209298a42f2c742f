// Package capfile reads and writes capture files: pcap (both byte orders,
// micro- and nanosecond), pcapng (several sections and interfaces), either
// gzip-compressed, and merges several files of one incident by timestamp.
// Frame numbers are the 1-based numbers Wireshark shows for the file.
package capfile
