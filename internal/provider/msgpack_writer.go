package provider

import (
	"encoding/binary"
	"math"
)

// msgpackWriter appends msgpack (the subset Terraform's values need) to buf: nulls, booleans,
// integers, strings, and the headers of maps (objects) and arrays (lists).
type msgpackWriter struct {
	buf []byte
}

func (e *msgpackWriter) null() { e.buf = append(e.buf, 0xc0) }

func (e *msgpackWriter) bool(b bool) {
	if b {
		e.buf = append(e.buf, 0xc3)
	} else {
		e.buf = append(e.buf, 0xc2)
	}
}

func (e *msgpackWriter) optionalInt(n *int64) {
	if n == nil {
		e.null()
		return
	}
	e.int(*n)
}

func (e *msgpackWriter) mapHeader(n int)   { e.header(n, 0x80, 0xde, 0xdf) }
func (e *msgpackWriter) arrayHeader(n int) { e.header(n, 0x90, 0xdc, 0xdd) }

// header writes the length of a map or an array: in the fix form below 16, else in the 16-bit
// or 32-bit form.
func (e *msgpackWriter) header(n int, fix, form16, form32 byte) {
	switch {
	case n < 16:
		e.buf = append(e.buf, fix|byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, form16), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, form32), uint32(n)) //nolint:gosec // lengths are below 2^32
	}
}

func (e *msgpackWriter) str(s string) {
	n := len(s)
	switch {
	case n < 32:
		e.buf = append(e.buf, 0xa0|byte(n))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, 0xd9, byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, 0xda), uint16(n))
	default:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xdb), uint32(n)) //nolint:gosec // lengths are below 2^32
	}
	e.buf = append(e.buf, s...)
}

func (e *msgpackWriter) optionalStr(s *string) {
	if s == nil {
		e.null()
		return
	}
	e.str(*s)
}

// int writes n in the smallest msgpack integer form.
func (e *msgpackWriter) int(n int64) {
	switch {
	case n >= 0 && n < 128:
		e.buf = append(e.buf, byte(n))
	case n < 0 && n >= -32:
		e.buf = append(e.buf, byte(n)) //nolint:gosec // negative fixint is the low byte
	case n >= math.MinInt32 && n <= math.MaxInt32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, 0xd2), uint32(int32(n))) //nolint:gosec // two's complement on purpose
	default:
		e.buf = binary.BigEndian.AppendUint64(append(e.buf, 0xd3), uint64(n)) //nolint:gosec // two's complement on purpose
	}
}
