package sqldb

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"

	"github.com/klauspost/compress/s2"
)

// The documents of incidents (their facts), reports (the facts read from
// each original) and rulings (explanation and facts) were about three
// quarters of an SQLite database, and most of what an import writes
// (docs/benchmarks.md, "Issue 17, third round"). On SQLite they are
// stored packed: S2 (Snappy's successor) with a dictionary of typical
// documents, which is what makes documents of a kilobyte or two shrink to
// a quarter or a fifth (alone, a compressor halves them at best). S2
// rather than zstd: with the same dictionary zstd's documents were up to
// 14% smaller but took 2.5 to 7 times as long to make (BenchmarkPack),
// which an import of a million rows pays in full. PostgreSQL keeps them as JSON text: its
// columns are TEXT, which holds no binary, and it compresses large values
// itself. What SQL reads of them (the text search) has columns of its own.
//
// A packed document is packedV1 followed by one S2 block made with the
// dictionary docdict/v1.json (made as docdict/make-v1.sh says: documents of
// the ACLED test fixture and of the shared UCDP file, not the benchmark's
// generated rows, whose likeness to each other would flatter the figures).
// Plain JSON starts with '{', so documents stored before (or on
// PostgreSQL) read as they are. The dictionary must never change: a new
// one gets a new first byte and its own file, and the old stays for the
// documents made with it.
const packedV1 = 0x01

//go:embed docdict/v1.json
var dictV1 []byte

// maxDoc bounds what one packed document may expand to: a corrupt or
// crafted value must not make a read allocate without limit.
const maxDoc = 64 << 20

type codec struct {
	dict *s2.Dict
	pack bool // false: documents are written as they are
}

func newCodec(pack bool) (*codec, error) {
	d := s2.MakeDict(dictV1, nil)
	if d == nil {
		return nil, fmt.Errorf("document dictionary: %d bytes, not a dictionary", len(dictV1))
	}
	return &codec{dict: d, pack: pack}, nil
}

// value is doc as stored: the text itself, or packed bytes.
func (c *codec) value(doc string) any {
	if !c.pack || doc == "" {
		return doc
	}
	out := make([]byte, 1+s2.MaxEncodedLen(len(doc)))
	out[0] = packedV1
	return out[:1+len(c.dict.Encode(out[1:], []byte(doc)))]
}

// packed reports whether a stored document is packed.
func packed(b []byte) bool { return len(b) > 0 && b[0] == packedV1 }

// unpack is the document stored as b: b itself unless packed (then a new
// slice).
func (c *codec) unpack(b []byte) ([]byte, error) { return c.unpackInto(nil, b) }

// unpackInto is unpack, unpacking into buf when it is large enough (a
// caller that only hashes the document reuses one buffer instead of
// allocating one a document: a verification unpacks every report).
func (c *codec) unpackInto(buf, b []byte) ([]byte, error) {
	if !packed(b) {
		return b, nil
	}
	n, err := s2.DecodedLen(b[1:])
	if err == nil && n > maxDoc {
		err = fmt.Errorf("%d bytes unpacked, more than %d", n, maxDoc)
	}
	var doc []byte
	if err == nil {
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		doc, err = c.dict.Decode(buf[:n], b[1:])
	}
	if err != nil {
		return nil, fmt.Errorf("packed document: %w", err)
	}
	return doc, nil
}

// into scans a document column into *dst, unpacked; intoText likewise
// into a string.
func (c *codec) into(dst *[]byte) docScanner { return docScanner{c: c, b: dst} }

func (c *codec) intoText(dst *string) docScanner { return docScanner{c: c, s: dst} }

type docScanner struct {
	c *codec
	b *[]byte
	s *string
}

func (d docScanner) Scan(src any) error {
	var b []byte
	// borrowed: b is the driver's buffer, which it may reuse after Scan.
	borrowed := false
	switch v := src.(type) {
	case nil:
	case []byte:
		b, borrowed = v, true
	case string:
		if d.s != nil && (v == "" || v[0] != packedV1) { // text as it is
			*d.s = v
			return nil
		}
		b = []byte(v)
	default:
		return fmt.Errorf("document: unexpected %T", src)
	}
	doc, err := d.c.unpack(b)
	if err != nil {
		return err
	}
	switch {
	case d.s != nil:
		*d.s = string(doc)
	case borrowed && !packed(b):
		*d.b = append([]byte(nil), doc...)
	default:
		*d.b = doc
	}
	return nil
}

// Unpacker unpacks documents as the document columns of an SQLite
// database store them: for tools and tests that read the tables directly.
type Unpacker struct{ c *codec }

// NewUnpacker returns an Unpacker.
func NewUnpacker() (Unpacker, error) {
	c, err := newCodec(false)
	return Unpacker{c}, err
}

// Unpack is the document stored as b.
func (u Unpacker) Unpack(b []byte) ([]byte, error) { return u.c.unpack(b) }

// Packed reports whether b is a packed document.
func (u Unpacker) Packed(b []byte) bool { return packed(b) }

// UnpackInto is Unpack into buf's bytes when they are enough, else into
// new ones (b itself when it is not packed).
func (u Unpacker) UnpackInto(buf, b []byte) ([]byte, error) { return u.c.unpackInto(buf, b) }

// EditDoc rewrites the document column of table's rows where cond holds
// (args are its parameters, "?" placeholders) as edit makes it, packed as
// it was, and says how many rows it rewrote: what someone holding an
// SQLite database file could do. For tests that tamper with a database,
// which must not have to know how documents are stored.
func EditDoc(ctx context.Context, db *sql.DB, table, cond string, args []any, edit func(string) string) (int, error) {
	c, err := newCodec(true)
	if err != nil {
		return 0, err
	}
	rows, err := db.QueryContext(ctx, `SELECT rowid, doc FROM `+table+` WHERE `+cond, args...)
	if err != nil {
		return 0, err
	}
	type row struct {
		id  int64
		doc any
	}
	var edited []row
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			rows.Close()
			return 0, err
		}
		doc, err := c.unpack(b)
		if err != nil {
			rows.Close()
			return 0, err
		}
		v := any(edit(string(doc)))
		if packed(b) {
			v = c.value(v.(string))
		}
		edited = append(edited, row{id, v})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range edited {
		if _, err := db.ExecContext(ctx, `UPDATE `+table+` SET doc = ? WHERE rowid = ?`, r.doc, r.id); err != nil {
			return 0, err
		}
	}
	return len(edited), nil
}
