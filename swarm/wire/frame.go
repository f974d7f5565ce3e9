package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrFrameTooLarge is returned (wrapped) by ReadMsg for a frame whose
// length prefix exceeds the caller's limit. It wraps ErrMalformed.
var ErrFrameTooLarge = fmt.Errorf("%w: frame too large", ErrMalformed)

// WriteMsg writes m to w as one frame, with a single Write call.
func WriteMsg(w io.Writer, m Message) error {
	_, err := w.Write(AppendFrame(nil, m))
	return err
}

// ReadMsg reads one frame from r and decodes it. A frame longer than max
// bytes is refused before anything is allocated for it. r should be
// buffered (ReadMsg reads the length prefix a byte at a time, through
// io.ByteReader when r has it). At the end of the stream between frames,
// ReadMsg returns io.EOF; within a frame, io.ErrUnexpectedEOF.
func ReadMsg(r io.Reader, max int) (Message, error) {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = byteReader{r}
	}
	n, err := binary.ReadUvarint(br)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: frame length: %w", ErrMalformed, err)
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, max)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return Unmarshal(buf)
}

// byteReader reads single bytes from an unbuffered reader.
type byteReader struct{ r io.Reader }

func (b byteReader) ReadByte() (byte, error) {
	var p [1]byte
	_, err := io.ReadFull(b.r, p[:])
	return p[0], err
}
