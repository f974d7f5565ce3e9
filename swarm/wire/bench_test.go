package wire

import (
	"bufio"
	"bytes"
	"fmt"
	"testing"

	"github.com/steledb/stele/merkle"
)

func benchData(count, size int) *Data {
	d := &Data{ID: 1, Lo: 1 << 20, Size: 1<<21 + 12345}
	for i := range 20 {
		d.Left = append(d.Left, merkle.LeafHash([]byte{byte(i)}))
		d.Right = append(d.Right, merkle.LeafHash([]byte{byte(i), 1}))
	}
	for i := range count {
		e := make([]byte, size)
		copy(e, fmt.Sprintf("entry %d", i))
		d.Entries = append(d.Entries, e)
	}
	return d
}

var dataShapes = []struct{ count, size int }{{1000, 100}, {16, 64 << 10}}

func BenchmarkMarshalData(b *testing.B) {
	for _, sh := range dataShapes {
		b.Run(fmt.Sprintf("%dx%dB", sh.count, sh.size), func(b *testing.B) {
			d := benchData(sh.count, sh.size)
			buf := make([]byte, 0, Size(d)+16)
			b.SetBytes(int64(Size(d)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				buf = AppendFrame(buf[:0], d)
			}
		})
	}
}

func BenchmarkUnmarshalData(b *testing.B) {
	for _, sh := range dataShapes {
		b.Run(fmt.Sprintf("%dx%dB", sh.count, sh.size), func(b *testing.B) {
			enc := Marshal(benchData(sh.count, sh.size))
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				m, err := Unmarshal(enc)
				if err != nil || len(m.(*Data).Entries) != sh.count {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadMsgData includes framing: the per-frame buffer allocation
// and the copy out of a bufio.Reader.
func BenchmarkReadMsgData(b *testing.B) {
	for _, sh := range dataShapes {
		b.Run(fmt.Sprintf("%dx%dB", sh.count, sh.size), func(b *testing.B) {
			frame := AppendFrame(nil, benchData(sh.count, sh.size))
			rd := bytes.NewReader(frame)
			br := bufio.NewReaderSize(rd, 64<<10)
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				rd.Reset(frame)
				br.Reset(rd)
				if _, err := ReadMsg(br, 16<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
