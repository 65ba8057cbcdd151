package sqlite

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"sync"
	"unsafe"

	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store/sqldb"
)

// reportSum is the SQL function truce_report_sum(original, format, doc,
// placed_in, placed_why): ledger.ReportSum of a report revision's
// columns, its document unpacked (u), a 32-byte BLOB, so that a
// verification reads 32 bytes a report instead of the whole record (the
// driver copies every value it returns). A document that will not unpack
// was altered, and is hashed as stored: it differs from what was logged.
// Its arguments may be views of SQLite's own buffers, valid only during
// the call: they are hashed, never kept. Each is read as database/sql
// reads the same column into the types the store reads it into
// (sql.RawBytes, int64), so that the digest is the one the column-by-
// column read gives, whatever the column holds.
//
// A verification calls it for every report revision, on as many
// connections at once as it reads parts: each call unpacks into a buffer
// from bufs (a document of a kilobyte or two, hashed, then free again)
// instead of allocating one, which a million reports made 2 GB of garbage.
type reportSummer struct {
	u    sqldb.Unpacker
	bufs sync.Pool // of *[]byte
}

func (r *reportSummer) sum(args []driver.Value) (driver.Value, error) {
	if len(args) != 5 {
		return nil, fmt.Errorf("truce_report_sum: %d arguments, want 5", len(args))
	}
	var parts [4][]byte
	var num [4][32]byte // a number's text, for each
	for k, a := range [4]driver.Value{args[0], args[1], args[2], args[4]} {
		b, err := sqlBytes(a, num[k][:0])
		if err != nil {
			return nil, fmt.Errorf("truce_report_sum: argument %d: %w", k+1, err)
		}
		parts[k] = b
	}
	in, err := sqlInt64(args[3])
	if err != nil {
		return nil, fmt.Errorf("truce_report_sum: placed_in: %w", err)
	}
	if r.u.Packed(parts[2]) {
		buf, _ := r.bufs.Get().(*[]byte)
		if buf == nil {
			buf = new([]byte)
		}
		defer r.bufs.Put(buf)
		if doc, err := r.u.UnpackInto(*buf, parts[2]); err == nil {
			*buf = doc[:0] // buf's own bytes, or larger ones made for doc
			parts[2] = doc
		}
	}
	sum := ledger.ReportSum(parts[0], parts[1], parts[2], in, string(parts[3]))
	return sum[:], nil
}

// sqlBytes is v as database/sql scans it into sql.RawBytes (buf may hold
// a number's text).
func sqlBytes(v driver.Value, buf []byte) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	case string:
		return unsafe.Slice(unsafe.StringData(v), len(v)), nil
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case float64:
		return strconv.AppendFloat(buf, v, 'g', -1, 64), nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

// sqlInt64 is v as database/sql scans it into an int64.
func sqlInt64(v driver.Value) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case nil:
		return 0, fmt.Errorf("NULL")
	case []byte:
		return strconv.ParseInt(string(v), 10, 64)
	case string:
		return strconv.ParseInt(v, 10, 64)
	case float64:
		return strconv.ParseInt(strconv.FormatFloat(v, 'g', -1, 64), 10, 64)
	}
	return 0, fmt.Errorf("unexpected %T", v)
}
