package archive

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/steledb/stele/feed/chunk"
)

// jerkyReader returns reads of varying, small sizes.
type jerkyReader struct {
	r io.Reader
	n int
}

func (j *jerkyReader) Read(p []byte) (int, error) {
	j.n = (j.n*7 + 13) % 70001
	return j.r.Read(p[:min(len(p), j.n+1)])
}

// TestCutStreamMatchesReader compares the publisher's chunker with the
// reference, chunk.Reader: same chunks for every size and read pattern.
func TestCutStreamMatchesReader(t *testing.T) {
	for _, size := range []int{0, 1, 16 << 10, 16<<10 + 1, 256 << 10, 256<<10 + 1, 1<<20 + 3, 5 << 20} {
		data := randomBytes(uint64(size), size)
		var want [][]byte
		ref, _ := chunk.NewReader(bytes.NewReader(data), chunk.Default)
		for {
			c, err := ref.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, bytes.Clone(c))
		}
		for name, r := range map[string]io.Reader{
			"whole": bytes.NewReader(data),
			"jerky": &jerkyReader{r: bytes.NewReader(data)},
			"half":  iotest.HalfReader(bytes.NewReader(data)),
		} {
			var got [][]byte
			err := cutStream(r, make([]byte, readBufferSize), func(c []byte) error {
				got = append(got, bytes.Clone(c))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("size %d, %s reads: %d chunks, want %d", size, name, len(got), len(want))
			}
			for i := range got {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("size %d, %s reads: chunk %d differs", size, name, i)
				}
			}
		}
	}
	if err := cutStream(iotest.ErrReader(io.ErrUnexpectedEOF), make([]byte, readBufferSize), nil); err != io.ErrUnexpectedEOF {
		t.Errorf("read error: %v", err)
	}
}
