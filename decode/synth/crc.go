package synth

import "hash/crc32"

// legacyTable is the IEEE CRC-32 table with the one wrong entry of older
// Microsoft STUN stacks: 0x8BBEB8EA is replaced by 0x08BBE8EA (libnice
// stun/stuncrc32.c, MS-REFERENCE §2.4).
var legacyTable = makeLegacyTable()

// makeLegacyTable copies the IEEE table and applies the typo.
func makeLegacyTable() *crc32.Table {
	t := *crc32.IEEETable
	for i, v := range t {
		if v == 0x8BBEB8EA {
			t[i] = 0x08BBE8EA
		}
	}
	return &t
}

// stdTable returns the IEEE CRC-32 table.
func stdTable() *crc32.Table { return crc32.IEEETable }
