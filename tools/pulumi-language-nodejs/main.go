// pulumi-language-nodejs is the Node.js language host that the Pulumi CLI starts to run a
// `runtime: nodejs` program. The upstream binary cannot be fetched from the Go module proxy here, so
// this is our own, small implementation of the same gRPC contract (pulumirpc.LanguageRuntimeServer):
// Run starts the SDK's `@pulumi/pulumi/cmd/run` entry point of the program's own node_modules, which
// compiles TypeScript with ts-node (runtime option `typescript`, default true), loads the program and
// connects it to the engine's resource monitor. Which program runs: program.go. How node starts it
// (and why through launcher.js): host.go.
//
// Command line, as the engine builds it (sdk/go/common/resource/plugin: buildPluginArguments and
// buildArgsForNewPlugin): [--logtostderr] [-v=N] [--tracing ENDPOINT] ENGINE_ADDRESS.
// Like every plugin, it prints the port of its gRPC server as the first line on stdout.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	var tracing string
	flag.StringVar(&tracing, "tracing", "", "Zipkin-compatible tracing endpoint, passed on to the Node.js program")
	// -v and --logtostderr are flags that the SDK's logging package registers itself.
	flag.Parse()
	logging.InitLogging(false, 0, false)

	// The engine passes its address as the only positional argument. A host started by hand
	// (PULUMI_DEBUG_LANGUAGES) gets it through Handshake instead.
	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	host := newNodeHost(engineAddress, tracing)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the language host gRPC server: %w", err))
	}

	// The engine reads this line to find us.
	fmt.Fprintf(os.Stdout, "%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host gRPC server stopped: %w", err))
	}
}
