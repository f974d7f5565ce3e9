package wire

import (
	"encoding/binary"
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
	return ReadMsgInto(r, max, func(n int) []byte { return make([]byte, n) })
}

// ReadMsgInto is ReadMsg reading the frame into alloc(n), n its length,
// which the message returned may point into (a Data's entries do): a
// reader can so recycle the buffers of large frames once done with their
// messages.
func ReadMsgInto(r io.Reader, max int, alloc func(n int) []byte) (Message, error) {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = byteReader{r}
	}
	n, err := readLength(br)
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, max)
	}
	buf := alloc(int(n))
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return Unmarshal(buf)
}

// readLength reads the uvarint length prefix. I/O errors come back as
// they are (io.EOF before the first byte, io.ErrUnexpectedEOF after it);
// only a prefix longer than ten bytes or overflowing 64 bits is
// malformed.
func readLength(br io.ByteReader) (uint64, error) {
	var n uint64
	for i := 0; i < binary.MaxVarintLen64; i++ {
		b, err := br.ReadByte()
		if err != nil {
			if i > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		if i == binary.MaxVarintLen64-1 && b > 1 {
			break
		}
		n |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%w: frame length overflows 64 bits", ErrMalformed)
}

// byteReader reads single bytes from an unbuffered reader.
type byteReader struct{ r io.Reader }

func (b byteReader) ReadByte() (byte, error) {
	var p [1]byte
	_, err := io.ReadFull(b.r, p[:])
	return p[0], err
}
