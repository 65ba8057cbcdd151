//go:build sqlite_cgo && !(sqlite_fts5 || fts5)

package sqlite

// github.com/mattn/go-sqlite3 compiles FTS5, which the text search's
// trigram indexes need (migration 0024), only with its own build tag: a
// build without it would fail on opening any database, so it is refused
// here instead. Build with -tags "sqlite_cgo sqlite_fts5".
var _ = build_with_tags_sqlite_cgo_and_sqlite_fts5
