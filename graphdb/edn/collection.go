package edn

import (
	"fmt"
	"math"
)

func (p *parser) readList() (Value, error) {
	elems, err := p.readSequence(')', "list")
	if err != nil {
		return nil, err
	}
	return List(elems), nil
}

func (p *parser) readVector() (Value, error) {
	elems, err := p.readSequence(']', "vector")
	if err != nil {
		return nil, err
	}
	return Vector(elems), nil
}

// readSequence reads a list or vector into an exactly sized slice.
func (p *parser) readSequence(closer byte, what string) ([]Value, error) {
	base := len(p.stack)
	defer p.truncate(base)
	if err := p.readElements(closer, what); err != nil {
		return nil, err
	}
	elems := make([]Value, len(p.stack)-base)
	copy(elems, p.stack[base:])
	return elems, nil
}

func (p *parser) truncate(base int) { p.stack, p.where = p.stack[:base], p.where[:base] }

func (p *parser) readMap() (Value, error) {
	start, base := p.pos, len(p.stack)
	defer p.truncate(base)
	if err := p.readElements('}', "map"); err != nil {
		return nil, err
	}
	kvs, where := p.stack[base:], p.where[base:]
	if len(kvs)%2 != 0 {
		return nil, p.errorAt(start, "map literal has a key without a value")
	}
	m := NewMap(len(kvs) / 2)
	for i := 0; i < len(kvs); i += 2 {
		if !m.Put(kvs[i], kvs[i+1]) {
			return nil, p.errorAt(where[i], "duplicate map key "+string(Format(kvs[i])))
		}
	}
	return m, nil
}

func (p *parser) readSet(start int) (Value, error) {
	p.pos = start + 1 // on the '{' of "#{"
	base := len(p.stack)
	defer p.truncate(base)
	if err := p.readElements('}', "set"); err != nil {
		return nil, err
	}
	elems, where := p.stack[base:], p.where[base:]
	s := NewSet(len(elems))
	for i, e := range elems {
		if !s.Add(e) {
			return nil, p.errorAt(where[i], "duplicate set element "+string(Format(e)))
		}
	}
	return s, nil
}

// readElements reads the elements of the collection opening at p.pos, up
// to its closing byte, onto p.stack, and the offsets of their starts onto
// p.where; the caller truncates both. The shared stack means only the
// final, exactly sized collection is allocated.
func (p *parser) readElements(closer byte, what string) error {
	start := p.pos
	if err := p.enter(start); err != nil {
		return err
	}
	defer p.leave()
	p.pos++
	for {
		atEnd, err := p.skipToValue()
		switch {
		case err != nil:
			return err
		case atEnd:
			return p.eofError(start, "unterminated "+what)
		case p.data[p.pos] == closer:
			p.pos++
			return nil
		case isCloser(p.data[p.pos]):
			msg := fmt.Sprintf("unmatched delimiter %c in %s", p.data[p.pos], what)
			return p.errorAt(p.pos, msg)
		}
		at := p.pos
		v, err := p.readValue()
		if err != nil {
			return err
		}
		p.stack, p.where = append(p.stack, v), append(p.where, at)
	}
}

// readDispatch reads the forms that start with '#': sets, symbolic values
// (##Inf) and tagged elements. Discards (#_) never get here: skipToValue
// consumes them.
func (p *parser) readDispatch() (Value, error) {
	start := p.pos
	if start+1 >= len(p.data) {
		return nil, p.eofError(start, "# at end of input")
	}
	switch c := p.data[start+1]; {
	case c == '{':
		return p.readSet(start)
	case c == '#':
		return p.readSymbolicValue(start)
	case isTagStart(c):
		return p.readTagged(start)
	default:
		return nil, p.errorAt(start, fmt.Sprintf("invalid dispatch #%s", quoteRuneAt(p.data, start+1)))
	}
}

func (p *parser) readSymbolicValue(start int) (Value, error) {
	end, err := p.tokenEnd(start + 2)
	if err != nil {
		return nil, err
	}
	switch tok := string(p.data[start+2 : end]); tok {
	case "Inf":
		p.pos = end
		return math.Inf(1), nil
	case "-Inf":
		p.pos = end
		return math.Inf(-1), nil
	case "NaN":
		p.pos = end
		return math.NaN(), nil
	default:
		return nil, p.errorAt(start, "invalid symbolic value ##"+tok)
	}
}

func (p *parser) readTagged(start int) (Value, error) {
	end, err := p.tokenEnd(start + 1)
	if err != nil {
		return nil, err
	}
	tok := p.data[start+1 : end]
	ns, name, ok := splitSymbol(tok)
	if !ok {
		return nil, p.errorAt(start, "invalid tag #"+string(tok))
	}
	tag := Symbol{Namespace: ns, Name: name}
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	p.pos = end
	atEnd, err := p.skipToValue()
	switch {
	case err != nil:
		return nil, err
	case atEnd:
		return nil, p.eofError(start, "tag #"+tag.String()+" without a value")
	case isCloser(p.data[p.pos]):
		return nil, p.errorAt(start, "tag #"+tag.String()+" without a value")
	}
	valueAt := p.pos
	v, err := p.readValue()
	if err != nil {
		return nil, err
	}
	return p.builtinTag(tag, v, valueAt)
}

// builtinTag converts the values of the tags the reader knows, #inst and
// #uuid, and wraps all others in Tagged.
func (p *parser) builtinTag(tag Symbol, v Value, at int) (Value, error) {
	if tag.Namespace != "" || (tag.Name != "inst" && tag.Name != "uuid") {
		return Tagged{Tag: tag, Value: v}, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, p.errorAt(at, "#"+tag.Name+" needs a string")
	}
	var (
		out Value
		err error
	)
	if tag.Name == "inst" {
		out, err = parseInst(s)
	} else {
		out, err = ParseUUID(s)
	}
	if err != nil {
		return nil, p.errorAt(at, err.Error())
	}
	return out, nil
}

func isTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
