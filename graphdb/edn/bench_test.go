package edn

import (
	"bytes"
	"fmt"
	"testing"
)

// txData builds a realistic transaction: n entity maps with strings,
// numbers, a keyword enum, a nested ref map, a #inst and a set.
func txData(n int) []byte {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range n {
		fmt.Fprintf(&b, `{:db/id -%d :person/name "Person %d" :person/email "p%d@example.org" `+
			`:person/age %d :person/score %d.25 :person/status :status/active `+
			`:person/tags #{"a" "b%d"} :person/born #inst "1990-01-%02dT10:00:00Z" `+
			`:person/friend {:person/name "Friend %d"}}`+"\n",
			i+1, i, i, 20+i%50, i, i, 1+i%28, i)
	}
	b.WriteString("]")
	return b.Bytes()
}

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{10, 1000} {
		data := txData(n)
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFormat(b *testing.B) {
	for _, n := range []int{10, 1000} {
		v, err := Parse(txData(n))
		if err != nil {
			b.Fatal(err)
		}
		var buf []byte
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(Format(v))))
			for b.Loop() {
				buf = Append(buf[:0], v)
			}
		})
	}
}

func BenchmarkDecoder(b *testing.B) {
	data := bytes.Repeat(txData(1), 1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(data))
		for {
			if _, err := d.Decode(); err != nil {
				break
			}
		}
	}
}

func BenchmarkEqualHashCompare(b *testing.B) {
	v, _ := Parse(txData(100))
	w, _ := Parse(txData(100))
	b.Run("Equal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Equal(v, w)
		}
	})
	b.Run("Hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Hash(v)
		}
	})
	b.Run("Compare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Compare(v, w)
		}
	})
}
