package edn

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func TestEqual(t *testing.T) {
	t0 := mustTime("2020-01-02T03:04:05Z")
	tests := []struct {
		a, b Value
		want bool
	}{
		{nil, nil, true},
		{nil, false, false},
		{int64(1), bigInt("1"), true},
		{bigInt("1"), int64(1), true},
		{int64(1), 1, true},
		{1, int64(1), true},
		{uint64(1), bigInt("1"), true},
		{bigInt("99999999999999999999"), bigInt("99999999999999999999"), true},
		{int64(1), 1.0, false},
		{1.0, dec("1", 0), false},
		{int64(1), dec("1", 0), false},
		{dec("15", 1), dec("150", 2), true},
		{dec("15", -1), dec("150", 0), true},
		{dec("15", 1), dec("16", 1), false},
		{dec("1", 2000000000), dec("10", 2000000001), true},
		{dec("1", -2000000000), dec("1", -1999999999), false},
		{dec("-1", 3), dec("-10", 4), true},
		{0.0, math.Copysign(0, -1), true},
		{math.NaN(), math.NaN(), true},
		{1.5, float32(1.5), true},
		{"a", "a", true},
		{"a", Sym("a"), false},
		{K("a"), Sym("a"), false},
		{K("a/b"), K("a/b"), true},
		{Char('a'), "a", false},
		{list(int64(1), int64(2)), vec(int64(1), int64(2)), true},
		{list(int64(1)), vec(int64(1), int64(2)), false},
		{vec(vec(int64(1))), vec(list(int64(1))), true},
		{mapOf(K("a"), int64(1), K("b"), int64(2)), mapOf(K("b"), int64(2), K("a"), int64(1)), true},
		{mapOf(K("a"), int64(1)), mapOf(K("a"), int64(2)), false},
		{mapOf(K("a"), int64(1)), mapOf(K("b"), int64(1)), false},
		{setOf(int64(1), int64(2)), setOf(int64(2), int64(1)), true},
		{setOf(int64(1)), setOf(int64(1), int64(2)), false},
		{setOf(int64(1)), vec(int64(1)), false},
		{Tagged{Sym("a"), int64(1)}, Tagged{Sym("a"), bigInt("1")}, true},
		{Tagged{Sym("a"), int64(1)}, Tagged{Sym("b"), int64(1)}, false},
		{t0, t0.In(time.FixedZone("x", 3600)), true},
		{t0, t0.Add(1), false},
		{UUID{1}, UUID{1}, true},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", Format(tt.a), Format(tt.b), got, tt.want)
		}
		if got := Equal(tt.b, tt.a); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v (symmetry)", Format(tt.b), Format(tt.a), got, tt.want)
		}
		if tt.want && Hash(tt.a) != Hash(tt.b) {
			t.Errorf("Hash(%s) != Hash(%s) for Equal values", Format(tt.a), Format(tt.b))
		}
		if got := Compare(tt.a, tt.b) == 0; got != tt.want {
			t.Errorf("Compare(%s, %s) == 0 is %v, want %v", Format(tt.a), Format(tt.b), got, tt.want)
		}
	}
}

// orderedValues lists values in the order Compare must put them.
func orderedValues() []Value {
	return []Value{
		nil,
		false, true,
		math.NaN(), math.Inf(-1), bigInt("-99999999999999999999"), int64(-5), -4.5,
		int64(0), 0.0, dec("0", 0), dec("1", 2000000000), dec("1", 1), 0.5, int64(1), 1.0, dec("10", 1),
		int64(9007199254740993), 9007199254740994.0, bigInt("99999999999999999999"), dec("1", -2000000000), math.Inf(1),
		Char('a'), Char('b'),
		"", "a", "ab", "b", "é",
		K("a"), K("b"), K("a/a"), K("b/a"),
		Sym("a"), Sym("a/a"),
		UUID{0}, UUID{1},
		mustTime("1970-01-01T00:00:00Z"), mustTime("2020-01-01T00:00:00Z"),
		list(), vec(int64(1)), list(int64(1), int64(2)), vec(int64(2)),
		mapOf(), mapOf(K("a"), int64(1)), mapOf(K("a"), int64(2)), mapOf(K("b"), int64(0)), mapOf(K("a"), int64(1), K("b"), int64(1)),
		setOf(), setOf(int64(1)), setOf(int64(2)), setOf(int64(1), int64(2)), setOf(int64(1), int64(3)),
		Tagged{Sym("a"), int64(1)}, Tagged{Sym("a"), int64(2)}, Tagged{Sym("b"), int64(0)},
	}
}

func TestCompareOrder(t *testing.T) {
	vs := orderedValues()
	for i := range vs {
		for j := range vs {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(vs[i], vs[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", Format(vs[i]), Format(vs[j]), got, want)
			}
		}
	}
}

func TestCompareSortsShuffled(t *testing.T) {
	want := orderedValues()
	got := slices.Clone(want)
	slices.Reverse(got)
	got[0], got[len(got)/2] = got[len(got)/2], got[0]
	slices.SortFunc(got, Compare)
	for i := range want {
		if !identical(got[i], want[i]) {
			t.Fatalf("sorted[%d] = %s, want %s", i, Format(got[i]), Format(want[i]))
		}
	}
}

// TestMapIndexMatchesLinearScan checks the hash index of large maps and
// sets against a naive linear search with Equal.
func TestMapIndexMatchesLinearScan(t *testing.T) {
	var keys []Value
	for i := range 200 {
		keys = append(keys, int64(i), fmt.Sprint(i), K(fmt.Sprint("k", i)), vec(int64(i), "x"))
	}
	m, s := NewMap(0), NewSet(0)
	for i, k := range keys {
		if !m.Put(k, int64(i)) || !s.Add(k) {
			t.Fatalf("key %s reported present before insertion", Format(k))
		}
	}
	probes := append(slices.Clone(keys), bigInt("5"), list(int64(3), "x"), "nope", int64(1000), 5.0)
	for _, k := range probes {
		wantIdx := slices.IndexFunc(keys, func(x Value) bool { return Equal(x, k) })
		v, ok := m.Get(k)
		if ok != (wantIdx >= 0) || ok && v != int64(wantIdx) {
			t.Errorf("Get(%s) = %v, %v; linear scan finds %d", Format(k), v, ok, wantIdx)
		}
		if s.Contains(k) != (wantIdx >= 0) {
			t.Errorf("Contains(%s) = %v; linear scan finds %d", Format(k), s.Contains(k), wantIdx)
		}
	}
	if m.Put(K("k7"), "new") || m.Len() != len(keys) {
		t.Errorf("Put of an existing key added an entry")
	}
	if v, _ := m.Get(K("k7")); v != "new" {
		t.Errorf("Put did not replace: %v", v)
	}
	if m.Entries()[2].Key != K("k0") || s.Elements()[1] != "0" {
		t.Errorf("insertion order lost")
	}
}

func TestZeroMapAndSet(t *testing.T) {
	var m Map
	var s Set
	if _, ok := m.Get(K("a")); ok || s.Contains(int64(1)) || m.Len() != 0 || s.Len() != 0 {
		t.Fatal("zero Map or Set not empty")
	}
	m.Put(K("a"), int64(1))
	s.Add(int64(1))
	if v, ok := m.Get(K("a")); !ok || v != int64(1) || !s.Contains(bigInt("1")) {
		t.Fatal("zero Map or Set not usable")
	}
}

func TestUnsupportedTypePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Format of a struct did not panic")
		}
	}()
	Format(struct{}{})
}

func TestKAndSym(t *testing.T) {
	if K("a/b/c") != (Keyword{"a", "b/c"}) || K("a") != (Keyword{"", "a"}) {
		t.Error("K splits at the first slash")
	}
	if Sym("/") != (Symbol{"", "/"}) {
		t.Error("Sym of / is the division symbol")
	}
}
