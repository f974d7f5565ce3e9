package graphdb

import (
	"slices"
)

// Diff returns what changed between versions v1 and v2 (v1 <= v2; they are
// swapped otherwise, and clamped to [0, Basis]): the datoms of version v2
// that are not in version v1 (Added, with the position that asserted them)
// and the datoms of v1 that are not in v2 (not Added, with the position of
// their last retraction), in EAVT order. A datom retracted and asserted
// again in between is no difference.
func (db *DB) Diff(v1, v2 int64) []Datom {
	cur := db.Current()
	v1, v2 = min(max(v1, 0), cur.basis), min(max(v2, 0), cur.basis)
	if v1 > v2 {
		v1, v2 = v2, v1
	}
	before, after := cur.AsOf(v1), cur.AsOf(v2)
	changes := cur.History().Since(v1).AsOf(v2)
	var out, b, a, h []Datom
	for _, e := range cur.touchedBetween(v1, v2) {
		en := cur.entity(e)
		b = before.entityView(e, en, 0, b[:0])
		a = after.entityView(e, en, 0, a[:0])
		h = changes.entityView(e, en, 0, h[:0])
		out = appendDiff(out, b, a, h)
	}
	return out
}

// appendDiff merges the sorted states b and a of one entity.
func appendDiff(out, b, a, hist []Datom) []Datom {
	i, j := 0, 0
	for i < len(b) || j < len(a) {
		c := 0
		switch {
		case i == len(b):
			c = 1
		case j == len(a):
			c = -1
		default:
			c = cmpEAV(b[i], a[j])
		}
		switch {
		case c < 0:
			d := b[i]
			d.Added, d.Tx = false, lastRetraction(hist, d)
			out = append(out, d)
			i++
		case c > 0:
			out = append(out, a[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return out
}

func cmpEAV(x, y Datom) int {
	x.Tx, y.Tx, x.Added, y.Added = 0, 0, true, true
	return cmpEAVT(x, y)
}

// lastRetraction finds the position of the last retraction of d in hist.
func lastRetraction(hist []Datom, d Datom) int64 {
	pos := int64(-1)
	for _, h := range hist {
		if !h.Added && cmpEAV(h, d) == 0 {
			pos = max(pos, h.Tx)
		}
	}
	return pos
}

// touchedBetween lists the entities changed by the transactions at
// positions [v1, v2), sorted.
func (db *DB) touchedBetween(v1, v2 int64) []EID {
	var all []EID
	db.txs.ascend(uint64(v1), func(k uint64, r *txRecord) bool {
		if int64(k) >= v2 {
			return false
		}
		all = append(all, r.ents...)
		return true
	})
	slices.Sort(all)
	return slices.Compact(all)
}

// TxDatoms returns the datoms of the transaction at feed position pos, in
// EAVT order (nil for a position not materialized or skipped as invalid).
func (db *DB) TxDatoms(pos int64) []Datom {
	cur := db.Current()
	if pos < 0 || pos >= cur.basis {
		return nil
	}
	r := cur.txs.get(uint64(pos))
	if r == nil {
		return nil
	}
	h := cur.History().Since(pos).AsOf(pos + 1)
	var out []Datom
	for _, e := range r.ents {
		out = h.entityView(e, cur.entity(e), 0, out)
	}
	return out
}
