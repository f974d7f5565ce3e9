package edn_test

import (
	"fmt"
	"strings"

	"github.com/steledb/stele/graphdb/edn"
)

func ExampleFormat() {
	v, err := edn.Parse([]byte(`{:a 1 :b [1.5e3 "x\ty"] :c #{\a}}`))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", edn.Format(v))
	// Output: {:a 1, :b [1500.0 "x\ty"], :c #{\a}}
}

func ExampleParse_error() {
	_, err := edn.Parse([]byte("[:a\n :b\n \"unfinished]"))
	fmt.Println(err)
	// Output: edn: line 3, column 2: unterminated string
}

func ExampleMap_Get() {
	v, _ := edn.Parse([]byte(`{:db/id 17, [:a 1] "composite key"}`))
	m := v.(*edn.Map)
	id, _ := m.Get(edn.K("db/id"))
	s, _ := m.Get(edn.Vector{edn.K("a"), int64(1)})
	fmt.Println(id, s)
	// Output: 17 composite key
}

func ExampleDecoder() {
	d := edn.NewDecoder(strings.NewReader("[:db/add -1 :name \"Ann\"]\n[:db/add -2 :name \"Bob\"]\n"))
	for {
		v, err := d.Decode()
		if err != nil {
			break
		}
		fmt.Printf("%s\n", edn.Format(v))
	}
	// Output:
	// [:db/add -1 :name "Ann"]
	// [:db/add -2 :name "Bob"]
}
