// Package capfile reads and writes capture files: pcap (both byte orders,
// micro- and nanosecond, and the modified/Kuznetzov, Nokia, Red Hat 6.1 and
// SuSE 6.3 variants), pcapng (several sections, each with its own byte order
// and interfaces), either gzip-compressed, and merges several files of one
// incident by timestamp. Frame numbers are the 1-based numbers Wireshark
// shows for the file.
//
// Formats are detected from magic numbers, never from file names. Reading
// allocates nothing per packet once the read buffer has grown to the largest
// record: Packet.Data aliases that buffer until the next call to Next, so
// callers copy what they keep. On Linux, Open maps a regular uncompressed
// file into memory instead (File.Stable): then Data aliases the file's
// bytes and stays valid until Close, and the pages read are given back to
// the kernel as reading moves on, so the resident set does not grow with
// the file. A file cut shorter while it is mapped makes reading its lost
// bytes fault (see File.HoldsAddr).
//
// Damage never panics and never loses good packets: every packet before a
// damaged header, record or block is returned, then a *FileError naming the
// file, the frame that would have come next, the byte offset of the damaged
// record and the reason, wrapping ErrTruncatedFile, ErrBadBlock, ErrTooLarge
// or the I/O error. Limits bound record sizes and gzip expansion.
//
// Specification coverage:
//
//	draft-ietf-opsawg-pcap §4 file header      magic a1b2c3d4/a1b23c4d/a1b2cd34 both orders, version 2, snaplen, link type (low 16 bits)
//	draft-ietf-opsawg-pcap §5 packet record    timestamps, captured and original length
//	draft-ietf-opsawg-pcapng §3.1 block        total length ≥ 12, multiple of 4, equal to its trailing copy
//	draft-ietf-opsawg-pcapng §3.5 options      bounds-checked; if_name, if_description, if_tsresol (10^-n, 2^-n), if_tsoffset
//	draft-ietf-opsawg-pcapng §4.1 SHB          byte-order magic per section, version 1.x
//	draft-ietf-opsawg-pcapng §4.2 IDB          link type, snaplen, interface ids per section
//	draft-ietf-opsawg-pcapng §4.3 EPB          read and written (nanosecond if_tsresol)
//	draft-ietf-opsawg-pcapng §4.4 SPB          first interface of the section, no timestamp (Unix epoch)
//	draft-ietf-opsawg-pcapng App. A PB         obsolete Packet Block read
//	other blocks (NRB, ISB, DSB, custom)       skipped by length, trailer checked
//	RFC 1952 gzip                              streamed, multi-member, bounded by Limits.MaxGzipRatio
package capfile
