package query

import (
	"slices"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// DefaultPullLimit is how many values of a cardinality-many attribute a
// pull returns unless the pattern sets :limit, as in DataScript.
const DefaultPullLimit = 1000

var (
	kwDBID       = edn.K("db/id")
	wildcardPull = &Pull{Wildcard: true}
)

// PullEntity returns what pattern p selects of entity e in db, as an
// *edn.Map keyed by attribute keywords (or their :as names), or nil when
// the entity has none of the attributes. e is an entity ID (int64 or
// graphdb.EID), a lookup ref [:attr value] or an ident keyword.
//
//	:attr          the value; a vector for cardinality many (at most
//	               DefaultPullLimit values unless :limit says otherwise); a
//	               reference as {:db/id n}, or pulled in full ([*]) for a
//	               component attribute
//	:ns/_attr      the entities referring to e by :ns/attr, as {:db/id n}
//	               maps; one map, not a vector, for a component attribute
//	{:attr pat}    references pulled with pat
//	{:attr ...}    references pulled with the enclosing pattern, to any
//	               depth ({:attr n}: n levels); an entity already on the
//	               path comes back as {:db/id n}
//	*              every attribute of e, and :db/id
func PullEntity(db *graphdb.DB, p *Pull, e edn.Value) (edn.Value, error) {
	ex := newExec(&Query{}, nil)
	return ex.pullOne(newDBSource(db), p, ex.fromEDN(e))
}

// PullMany pulls p from each entity of es.
func PullMany(db *graphdb.DB, p *Pull, es []edn.Value) (edn.Vector, error) {
	ex := newExec(&Query{}, nil)
	src := newDBSource(db)
	out := make(edn.Vector, len(es))
	for i, e := range es {
		var err error
		if out[i], err = ex.pullOne(src, p, ex.fromEDN(e)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Pull is PullEntity on the view.
func (f *Feeds) Pull(p *Pull, e edn.Value) (edn.Value, error) {
	ex := newExec(&Query{}, nil)
	return ex.pullOne(f.source(), p, ex.fromEDN(e))
}

func (ex *exec) pullOne(src source, p *Pull, e val) (edn.Value, error) {
	id, ok := src.entity(ex, e)
	if !ok {
		return nil, nil
	}
	r := &pullRun{ex: ex, src: src}
	m, err := r.entity(p, id)
	if err != nil || m.Len() == 0 {
		return nil, err
	}
	return m, nil
}

// pullRun is one pull: the entities on the path being pulled, and how
// deep each recursive attribute has gone.
type pullRun struct {
	ex      *exec
	src     source
	path    []val // entities being pulled, the root first
	reached []val // entities on the path reached through a recursive attribute
	depth   map[*PullAttr]int64
}

func (r *pullRun) entity(p *Pull, e val) (*edn.Map, error) {
	m := edn.NewMap(len(p.Attrs) + 1)
	r.path = append(r.path, e)
	defer func() { r.path = r.path[:len(r.path)-1] }()
	if p.Wildcard {
		if err := r.wildcard(m, e); err != nil {
			return nil, err
		}
	}
	for i := range p.Attrs {
		if err := r.attr(m, p, &p.Attrs[i], e); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// wildcard adds every attribute of e.
func (r *pullRun) wildcard(m *edn.Map, e val) error {
	m.Put(kwDBID, r.ex.toEDN(e))
	p := probe{n: 2}
	p.bound[posE], p.v[posE] = true, e
	p.need[posA], p.need[posV] = true, true
	var attrs []val
	values := map[val][]val{}
	r.src.match(r.ex, &p, sinkFunc(func(t *[5]val) bool {
		a := t[posA]
		if a.k != kKeyword {
			return true
		}
		if _, ok := values[a]; !ok {
			attrs = append(attrs, a)
		}
		values[a] = append(values[a], t[posV])
		return true
	}))
	for _, a := range attrs {
		spec := &PullAttr{Name: r.ex.toEDN(a).(edn.Keyword), As: r.ex.toEDN(a), Limit: NoLimit}
		if err := r.putValues(m, wildcardPull, spec, a, values[a]); err != nil {
			return err
		}
	}
	return nil
}

func (r *pullRun) attr(m *edn.Map, p *Pull, a *PullAttr, e val) error {
	if a.Name == kwDBID {
		m.Put(a.As, r.ex.toEDN(e))
		return nil
	}
	if a.Recursive && a.Depth > 0 && r.depth[a] >= a.Depth {
		return nil
	}
	attr := keywordVal(a.Name)
	if a.Reverse {
		return r.reverse(m, p, a, attr, e)
	}
	vals := r.values(attr, e, posE, posV, a.Limit)
	if len(vals) == 0 {
		if a.HasDefault {
			m.Put(a.As, a.Default)
		}
		return nil
	}
	return r.putValues(m, p, a, attr, vals)
}

// values reads the values at position out of the datoms with e at
// position in and attribute attr, up to the limit.
func (r *pullRun) values(attr, e val, in, out int, limit int64) []val {
	if limit == DefaultLimit {
		limit = DefaultPullLimit
	}
	p := probe{n: 3}
	p.bound[in], p.v[in] = true, e
	p.bound[posA], p.v[posA] = true, attr
	p.need[out] = true
	var vals []val
	r.src.match(r.ex, &p, sinkFunc(func(t *[5]val) bool {
		vals = append(vals, t[out])
		return limit < 0 || int64(len(vals)) < limit
	}))
	return vals
}

func (r *pullRun) putValues(m *edn.Map, p *Pull, a *PullAttr, attr val, vals []val) error {
	schema, _ := r.src.schema(r.ex, attr)
	out := make(edn.Vector, 0, len(vals))
	for _, v := range vals {
		x, err := r.value(p, a, schema, v, false)
		if err != nil {
			return err
		}
		if x != nil {
			out = append(out, x)
		}
	}
	if schema.Many {
		return r.put(m, a, out)
	}
	if len(out) == 0 {
		return nil
	}
	return r.put(m, a, out[0])
}

func (r *pullRun) reverse(m *edn.Map, p *Pull, a *PullAttr, attr, e val) error {
	schema, _ := r.src.schema(r.ex, attr)
	if schema.ValueType != graphdb.KindRef {
		if a.HasDefault {
			m.Put(a.As, a.Default)
		}
		return nil
	}
	refs := r.values(attr, e, posV, posE, a.Limit)
	if len(refs) == 0 {
		if a.HasDefault {
			m.Put(a.As, a.Default)
		}
		return nil
	}
	out := make(edn.Vector, 0, len(refs))
	for _, ref := range refs {
		x, err := r.value(p, a, schema, ref, true)
		if err != nil {
			return err
		}
		if x != nil {
			out = append(out, x)
		}
	}
	if !schema.Component {
		return r.put(m, a, out)
	}
	if len(out) == 0 {
		return nil
	}
	return r.put(m, a, out[0])
}

// value renders one value of an attribute: references as maps, pulled
// with the sub-pattern, recursively, or in full for components.
func (r *pullRun) value(p *Pull, a *PullAttr, schema graphdb.Attribute, v val, reverse bool) (edn.Value, error) {
	if schema.ValueType != graphdb.KindRef && !reverse {
		return r.ex.toEDN(v), nil
	}
	idOnly := func() edn.Value {
		m := edn.NewMap(1)
		m.Put(kwDBID, r.ex.toEDN(v))
		return m
	}
	var sub *Pull
	switch {
	case a.Pattern != nil:
		sub = a.Pattern
	case a.Recursive:
		// As in DataScript, an entity seen before through recursion comes
		// back as its ID; the root may be expanded once more.
		if slices.Contains(r.reached, v) {
			return idOnly(), nil
		}
		if r.depth == nil {
			r.depth = map[*PullAttr]int64{}
		}
		r.depth[a]++
		r.reached = append(r.reached, v)
		defer func() { r.depth[a]--; r.reached = r.reached[:len(r.reached)-1] }()
		sub = p
	case schema.Component && !reverse:
		if slices.Contains(r.path, v) {
			return idOnly(), nil
		}
		sub = wildcardPull
	default:
		return idOnly(), nil
	}
	m, err := r.entity(sub, v)
	if err != nil || m.Len() == 0 {
		return nil, err // an entity with none of the attributes is left out
	}
	return m, nil
}

// put stores x under the attribute's key, through its :xform.
func (r *pullRun) put(m *edn.Map, a *PullAttr, x edn.Value) error {
	if a.Xform != (edn.Symbol{}) {
		f, ok := r.ex.namedFn(a.Xform)
		if !ok {
			return errorf("pull: unknown :xform function %s", a.Xform)
		}
		v, err := r.ex.call(f, []val{r.ex.fromEDN(x)})
		if err != nil {
			return errorf("pull: :xform %s: %w", a.Xform, err)
		}
		x = r.ex.toEDN(v)
	}
	m.Put(a.As, x)
	return nil
}

// puller pulls a (pull ?e pattern) find element for result rows.
type puller struct {
	ex       *exec
	src      source
	pattern  *Pull
	col      int // the entity's column
	patCol   int // the pattern variable's column, or -1
	patterns map[val]*Pull
}

// pullers returns a puller per pull element of :find (nil for others).
func (ex *exec) pullers(rel *relation) []*puller {
	if !slices.ContainsFunc(ex.q.Find.Elems, func(e FindElem) bool { return e.Kind == ElemPull }) {
		return nil
	}
	out := make([]*puller, len(ex.q.Find.Elems))
	for i, e := range ex.q.Find.Elems {
		if e.Kind != ElemPull {
			continue
		}
		pl := &puller{ex: ex, pattern: e.Pull.Pattern, col: rel.col(e.Var), patCol: -1}
		if ns, err := ex.source(e.Pull.Source); err == nil {
			pl.src = ns.src
		}
		if e.Pull.PatternVar != NoVar {
			pl.patCol = rel.col(e.Pull.PatternVar)
		}
		out[i] = pl
	}
	return out
}

func (pl *puller) pull(row []val) (edn.Value, error) {
	if pl.src == nil {
		return nil, errorf("pull: no source bound")
	}
	p := pl.pattern
	if pl.patCol >= 0 {
		var err error
		if p, err = pl.patternOf(row[pl.patCol]); err != nil {
			return nil, err
		}
	}
	return pl.ex.pullOne(pl.src, p, row[pl.col])
}

// patternOf parses a pattern given as an input, once per distinct value.
func (pl *puller) patternOf(v val) (*Pull, error) {
	if p, ok := pl.patterns[v]; ok {
		return p, nil
	}
	x := pl.ex.toEDN(v)
	p, ok := x.(*Pull)
	if !ok {
		var err error
		if p, err = ParsePull(x); err != nil {
			return nil, errorf("%w", err)
		}
	}
	if pl.patterns == nil {
		pl.patterns = map[val]*Pull{}
	}
	pl.patterns[v] = p
	return p, nil
}
