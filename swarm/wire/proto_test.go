package wire

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The schema of package swarm's doc, as a descriptor, so that the
// reference protobuf implementation can check this hand-written codec.
func syncSchema(t *testing.T) protoreflect.MessageDescriptor {
	t.Helper()
	type fld struct {
		name string
		num  int32
		typ  descriptorpb.FieldDescriptorProto_Type
		msg  string // message type name for TYPE_MESSAGE
		rep  bool
	}
	u64, u32, byt, str, msg := descriptorpb.FieldDescriptorProto_TYPE_UINT64, descriptorpb.FieldDescriptorProto_TYPE_UINT32,
		descriptorpb.FieldDescriptorProto_TYPE_BYTES, descriptorpb.FieldDescriptorProto_TYPE_STRING, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
	messages := []struct {
		name   string
		fields []fld
	}{
		{"Hello", []fld{{"discovery_id", 1, byt, "", false}, {"capability", 2, byt, "", false}, {"latest", 3, u64, "", false}}},
		{"HelloAck", []fld{{"capability", 1, byt, "", false}, {"latest", 2, u64, "", false}}},
		{"Status", []fld{{"checkpoint", 1, byt, "", false}, {"proof", 2, byt, "", true}, {"ranges", 3, msg, "Range", true}}},
		{"Range", []fld{{"lo", 1, u64, "", false}, {"hi", 2, u64, "", false}}},
		{"Have", []fld{{"ranges", 1, msg, "Range", true}}},
		{"Request", []fld{{"id", 1, u64, "", false}, {"lo", 2, u64, "", false}, {"hi", 3, u64, "", false}, {"size", 4, u64, "", false}}},
		{"Data", []fld{{"id", 1, u64, "", false}, {"lo", 2, u64, "", false}, {"size", 3, u64, "", false}, {"left", 4, byt, "", true}, {"right", 5, byt, "", true}, {"entries", 6, byt, "", true}}},
		{"Error", []fld{{"id", 1, u64, "", false}, {"code", 2, u32, "", false}, {"message", 3, str, "", false}}},
		{"Checkpoint", []fld{{"checkpoint", 1, byt, "", false}, {"proof", 2, byt, "", true}, {"from", 3, u64, "", false}}},
		{"Fork", []fld{{"evidence", 1, byt, "", false}}},
		{"Cancel", []fld{{"id", 1, u64, "", false}}},
		{"Ping", nil},
	}
	bodies := []string{"hello", "hello_ack", "status", "have", "request", "data", "error", "checkpoint", "fork", "cancel", "ping"}
	bodyTypes := []string{"Hello", "HelloAck", "Status", "Have", "Request", "Data", "Error", "Checkpoint", "Fork", "Cancel", "Ping"}

	file := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("stele/sync.proto"),
		Package: proto.String("stele.sync"),
		Syntax:  proto.String("proto3"),
	}
	field := func(f fld) *descriptorpb.FieldDescriptorProto {
		label := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
		if f.rep {
			label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
		}
		d := &descriptorpb.FieldDescriptorProto{Name: proto.String(f.name), Number: proto.Int32(f.num), Type: f.typ.Enum(), Label: label.Enum()}
		if f.msg != "" {
			d.TypeName = proto.String(".stele.sync." + f.msg)
		}
		return d
	}
	for _, m := range messages {
		d := &descriptorpb.DescriptorProto{Name: proto.String(m.name)}
		for _, f := range m.fields {
			d.Field = append(d.Field, field(f))
		}
		file.MessageType = append(file.MessageType, d)
	}
	top := &descriptorpb.DescriptorProto{Name: proto.String("Message"), OneofDecl: []*descriptorpb.OneofDescriptorProto{{Name: proto.String("body")}}}
	for i, name := range bodies {
		f := field(fld{name, int32(i + 1), msg, bodyTypes[i], false})
		f.OneofIndex = proto.Int32(0)
		top.Field = append(top.Field, f)
	}
	file.MessageType = append(file.MessageType, top)
	fd, err := protodesc.NewFile(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fd.Messages().ByName("Message")
}

// TestAgainstProtobuf checks that the reference protobuf implementation
// reads every sample and writes back exactly the same bytes, so peers
// using generated code interoperate.
func TestAgainstProtobuf(t *testing.T) {
	desc := syncSchema(t)
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			b := Marshal(s.msg)
			m := dynamicpb.NewMessage(desc)
			if err := proto.Unmarshal(b, m); err != nil {
				t.Fatalf("protobuf cannot read %x: %v", b, err)
			}
			again, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, b) {
				t.Errorf("protobuf re-encodes differently:\n ours %x\nproto %x", b, again)
			}
		})
	}
}
