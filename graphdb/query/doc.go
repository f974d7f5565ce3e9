// Package query parses and evaluates the Datalog dialect of Datomic and
// DataScript over graphdb databases, pulls entities, and keeps queries
// live as transactions arrive. A query written for DataScript runs
// unchanged and gives DataScript's answer. Parsing checks a query as
// DataScript does, so a query DataScript accepts parses here and one it
// rejects fails here with a message that says why.
//
//	q, err := query.Parse([]byte(`[:find ?name :in $ ?min :where [?e :age ?a] [(>= ?a ?min)] [?e :name ?name]]`))
//	res, err := q.Run(db, int64(18))   // #{["Petr"] ["Ivan"]}
//
// # Grammar
//
// A query is an EDN vector whose keywords start sections, or a map of
// sections to vectors:
//
//	[:find ?name (count ?friend) :in $ ?min :where ...]
//	{:find [?name (count ?friend)] :in [$ ?min] :where [...]}
//
//	query        = [:find find-spec return-map? :in in+ :with var+ :where clause+]
//	find-spec    = find-elem+          relation: a set of tuples
//	             | [find-elem ...]     collection
//	             | [find-elem+]        single tuple
//	             | find-elem .         scalar
//	find-elem    = ?var | (aggregate-fn n? ?var) | (aggregate ?fn arg* ?var)  n: a number or an :in variable
//	             | (pull $src? ?var pattern)        pattern a vector or an :in var
//	aggregate-fn = count | count-distinct | sum | min | max | avg | median
//	             | variance | stddev | distinct | rand | sample
//	return-map   = :keys sym+ | :strs sym+ | :syms sym+
//	in           = $src | % | ?var | [?var ...] | [binding+] | [[binding+]] | plain-symbol
//	binding      = ?var | _ | [binding ...] | [binding+] | [[binding+]]
//	clause       = [$src? term{1,5}]                data pattern e a v tx added
//	             | [(fn arg*)]                      predicate; fn a symbol or ?var
//	             | [(fn arg*) binding]              function call
//	             | ($src? rule-name term+)          rule call
//	             | ($src? not clause+) | ($src? not-join [?var+] clause+)
//	             | ($src? or branch+)  | ($src? or-join rule-vars branch+)
//	branch       = clause | (and clause+)
//	rule-vars    = [?var+] | [[?required+] ?var*]
//	term         = ?var | _ | constant          arg = ?var | $src | constant
//
// Sections missing from a query take DataScript's defaults: :in is [$] and
// :where is empty. Rules come as a separate input bound to % (ParseRules):
//
//	[[(follows ?a ?b) [?a :follows ?b]]
//	 [(follows ?a ?b) [?a :follows ?x] (follows ?x ?b)]]
//
// Pull patterns have their own grammar and AST (ParsePull, Pull).
//
// # AST
//
// Variables are interned per query as small integers (Var), indices into
// Query.Vars, so an evaluator binds them in slices. Each rule branch has
// its own variables. Clauses are pointers to Pattern, Predicate, Function,
// RuleCall, Not, Or and And; bindings to BindScalar, BindTuple, BindColl and
// BindIgnore. A term is a variable, _, a constant (any EDN value that is
// not a symbol: keywords, numbers, lookup refs [:attr value]) or, as an
// argument of a function, a source. A clause with no source of its own
// reads the implicit source: $, or the source of the enclosing
// ($src not ...) or ($src or ...). For example
//
//	[:find ?n . :in $ ?e :where [?e :name ?n]]
//
// parses to Vars [?n ?e], Find{Kind: FindScalar, Elems: [{ElemVar, Var 0}]},
// In [{InSource $} {InBinding BindScalar{1}}] and Where [Pattern{Terms:
// [Var 1, Const :name, Var 0]}]. FormatQuery writes the AST back as EDN.
//
// # Checks
//
// Parsing rejects, with an error that starts "query: ":
//   - malformed sections, find elements, bindings and clauses;
//   - unknown aggregates and wrong aggregate arguments;
//   - variables in :find or :with that neither :in nor :where binds, and
//     variables in both :find and :with;
//   - :in binding a variable, a source or % twice, :with listing one twice;
//   - sources that :in does not bind, data patterns on $ when :in lacks
//     it, rule calls when :in lacks %;
//   - :keys/:strs/:syms with a scalar or collection :find, or a count
//     different from :find's; more than one of them;
//   - not-join variables its clauses do not use, not and or without any
//     variable, rule vars that repeat;
//   - insufficient bindings, found by following the clauses in the order
//     written with the variables bound so far (DataScript evaluates in that
//     order and makes these checks as it goes): predicates and function
//     calls need all their argument variables bound; not needs one of its
//     variables bound, not-join all its join variables; or needs all
//     branches to leave the same variables free (else or-join is needed);
//     or-join needs its [required] variables bound and each branch to use
//     all the free join variables. Clauses of not-join and or-join see only
//     the join variables.
//
// What depends on the rules passed as % (unknown rules, arities, required
// rule arguments) is checked by Query.CheckRules once they are known;
// what depends on data or schema (unknown functions, attribute types, a
// pull limit on a cardinality-one attribute) is the evaluator's.
//
// # Evaluation
//
// A parsed Query is immutable: Run may be called from several goroutines
// at once, each run keeping its state to itself. Query.Run binds its
// inputs to :in in order: a *graphdb.DB, a *Feeds view
// or a collection of tuples for each source, rules (*Rules or their EDN)
// for %, EDN values for bindings, Func values for function variables. A
// query without :in and without inputs runs with no source, as DataScript
// allows for [:find ?x :where [(ground 1) ?x]].
//
// Values. Datoms are read as DataScript sees them: entity IDs and refs
// are numbers (int64, the graphdb.EID), so a ref binds the same variable
// as a long; keywords are edn.Keyword; instants time.Time; uuids edn.UUID;
// bytes #bytes "base64" tagged values. An attribute variable binds the
// attribute's ident keyword. ?tx binds the entity of the transaction,
// graphdb.TxEID(position), which holds its metadata ([?tx :db/txInstant
// ?t]); in a pattern, a tx constant may also be the feed position, and the
// built-ins tx->t and t->tx convert. ?added binds true or false (on a
// History database; true otherwise). In entity position, and in value
// position of a ref attribute, a lookup ref [:attr value] or an ident
// keyword stands for its entity, constant or bound; a variable keeps the
// value it was bound to. A pattern that names neither its entity nor its
// attribute does not see the schema's own datoms (attributes and idents),
// which DataScript keeps outside its datoms.
//
// Joins. Clauses run in the order written, as in DataScript. The state is
// a set of relations over disjoint variables, joined only when a clause
// or :find needs two of them. A data pattern whose variables are unbound
// reads the index its constants select:
//
//	entity known                 EAVT  (DB.Value when the attribute is
//	                                    cardinality one: no iterator)
//	attribute and value known    AVET if indexed, VAET for a ref, else AEVT
//	attribute known              AEVT
//	nothing known                EAVT, all datoms
//
// A pattern sharing variables with the relations so far either looks up
// the index once per row with the row's values (when rows times lookup
// cost is below the scan's cost, from DB.Count) or scans and hash-joins.
// Predicates and functions run per row; arguments from one-row relations
// (scalar inputs) are read as constants. A function result of nil drops
// the row.
//
// Results. :find shapes the result as DataScript does: an *edn.Set of
// edn.Vector tuples for a relation, but an edn.Vector of tuples (a bag)
// when :with, aggregates or pull are used; an edn.Vector for [?x ...];
// one value or nil for ?x .; one tuple or nil for [?a ?b]. :keys, :strs
// and :syms turn tuples into *edn.Map values. Aggregates group the
// distinct tuples of :find and :with by the non-aggregate elements;
// (min n ?x) and (max n ?x) give n values in ascending order, avg,
// variance and stddev doubles, median the middle value or the mean of
// the two middle ones; rand and sample draw from Options.Rand.
//
// Rules. A rule call is evaluated with tables and semi-naive rounds, goal
// directed by the call's bound arguments (see ruleeval.go); recursion
// terminates on cycles. Rules under not are evaluated completely first;
// recursion through not is an error.
//
// Time and feeds. A database from DB.AsOf, DB.Since or DB.History is
// queried like any other; several may be passed as different sources to
// compare versions. Feeds combines the databases of several feeds into
// one source whose entity IDs use one numbering, and whose ?tx entities
// carry the slot of the feed that asserted each datom.
//
// Pull and entities. PullEntity and PullMany implement DataScript's pull
// patterns (nested, reverse, wildcard, :as, :limit, :default, :xform,
// recursion with ... or a depth, components expanded in full); EntityOf
// returns a lazy Entity.
//
// Live queries. NewLive registers a query and Live.Apply takes each
// transaction report: a transaction that touches none of the attributes
// the query reads is skipped without evaluation; otherwise the query runs
// again and the rows added and removed are reported.
package query
