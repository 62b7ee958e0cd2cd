package provider

import (
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
)

// TestProtocolServerExposesEveryFrameworkRPC: every method the framework's protocol server has
// is one the provider's server has too; a newer framework serving another RPC (an optional
// interface Terraform looks for) fails here instead of being hidden by the wrapper.
func TestProtocolServerExposesEveryFrameworkRPC(t *testing.T) {
	fw, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := NewProtocolServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	framework, wrapper := reflect.TypeOf(fw), reflect.TypeOf(ours)
	if framework.NumMethod() < 20 {
		t.Fatalf("the framework's server has %d methods: the test would prove nothing", framework.NumMethod())
	}
	for i := range framework.NumMethod() {
		if name := framework.Method(i).Name; !hasMethod(wrapper, name) {
			t.Errorf("the framework serves %s, the provider's server does not: add its interface to frameworkServer", name)
		}
	}
}

func hasMethod(t reflect.Type, name string) bool {
	_, ok := t.MethodByName(name)
	return ok
}
