package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	// @pulumi/pulumi's cmd/run exits with this code after it has already shown the program's error
	// to the user through the engine (nodeJSProcessExitedAfterLoggingUserActionableMessage). The host
	// then answers Bail, so that the CLI adds no message of its own.
	exitCodeErrorAlreadyShown = 32

	// The SDK entry point that connects a program to the engine, resolved from the program's directory
	// so that the program's own copy of @pulumi/pulumi runs it.
	runModule = "@pulumi/pulumi/cmd/run"

	// How long a cancelled program gets after SIGINT before it is killed.
	cancelGracePeriod = 5 * time.Second
)

// launcherFile is launcher.js as scripts/pulumi-cli.sh installs it, beside this executable.
const launcherFile = "pulumi-language-nodejs-launcher.js"

// launcherPath finds the launcher beside this executable (a node -e script would not do: node runs it
// with every built-in module as a global, unlike a program file).
func launcherPath() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("locating the language host's own executable: %w", err)
	}
	path := filepath.Join(filepath.Dir(exe), launcherFile)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s is missing beside %s (scripts/pulumi-cli.sh installs both): %w", launcherFile, exe, err)
	}
	return path, nil
}

// nodeHost implements pulumirpc.LanguageRuntimeServer for Node.js programs. RPCs it does not
// implement answer Unimplemented, which the engine treats as "not supported by this language".
type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	tracing string

	mu            sync.Mutex
	engineAddress string
	// Cancel functions of the programs that are running now, stopped by the Cancel RPC.
	running map[*context.CancelFunc]struct{}
}

func newNodeHost(engineAddress, tracing string) *nodeHost {
	return &nodeHost{
		engineAddress: engineAddress,
		tracing:       tracing,
		running:       map[*context.CancelFunc]struct{}{},
	}
}

// Handshake is how an engine hands its address to a host that it did not start itself.
func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages names the resource plugins of the installed npm packages that declare one
// (`"pulumi": {"resource": true}` in their package.json). Dynamic providers need none: the engine
// runs them through the `pulumi-resource-pulumi-nodejs` plugin on PATH.
func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	plugins, err := resourcePlugins(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	packages := make([]*pulumirpc.PackageDependency, 0, len(plugins))
	for _, p := range plugins {
		packages = append(packages, &pulumirpc.PackageDependency{
			Name: p.name, Kind: "resource", Version: p.version, Server: p.server,
		})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// GetRequiredPlugins is the older form of GetRequiredPackages, still used by `pulumi about` and
// `pulumi plugin install`.
func (h *nodeHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	plugins, err := resourcePlugins(dir)
	if err != nil {
		return nil, err
	}
	deps := make([]*pulumirpc.PluginDependency, 0, len(plugins))
	for _, p := range plugins {
		deps = append(deps, &pulumirpc.PluginDependency{
			Name: p.name, Kind: "resource", Version: p.version, Server: p.server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: deps}, nil
}

// Run executes the program: `node [nodeargs] <launcher.js> <@pulumi/pulumi/cmd/run> <flags> <entry
// point> <args>` in the program directory, its output going to our stdout/stderr, which the engine
// shows. The launcher runs cmd/run as `node <cmd/run> ...` would, after guarding against Node's
// util.inspect loop on the SDK's stack frames (see launcher.js).
// A failing program is reported in RunResponse.Error (or Bail), not as an RPC error.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return nil, status.Error(codes.InvalidArgument, "RunRequest.info is missing (the engine is older than this host)")
	}
	options, err := runtimeOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runPath, err := resolveModule(info.GetProgramDirectory(), runModule)
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"could not resolve %s from %s (is @pulumi/pulumi installed? run `npm install`): %v",
			runModule, info.GetProgramDirectory(), err)}, nil
	}
	entryPoint, err := programEntryPoint(info, options.typescript, runPath)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	launcher, err := launcherPath()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	env, err := h.programEnv(req, options)
	if err != nil {
		return nil, err
	}

	args := append(append(options.nodeArgs, launcher), h.runArguments(req, runPath, entryPoint)...)
	logging.V(5).Infof("launching: node %s", strings.Join(args, " "))

	runCtx, stop := h.beginOperation(ctx)
	defer stop()
	cmd := exec.CommandContext(runCtx, "node", args...)
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	// On cancellation the program gets SIGINT first, so that it can finish what it was doing.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = cancelGracePeriod

	return programResult(cmd.Run()), nil
}

// programResult maps how node ended to the RunResponse the engine expects.
func programResult(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the program with node: %v", err)}
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program was stopped by signal %v", ws.Signal())}
	}
	code := exitErr.ExitCode()
	if code == exitCodeErrorAlreadyShown {
		return &pulumirpc.RunResponse{Bail: true}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}
}

// runArguments are the flags that @pulumi/pulumi/cmd/run parses (see its usage text), then the
// entry point and the program's own arguments.
func (h *nodeHost) runArguments(req *pulumirpc.RunRequest, runPath, entryPoint string) []string {
	h.mu.Lock()
	engineAddress := h.engineAddress
	h.mu.Unlock()

	args := []string{runPath}
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", req.GetInfo().GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		flag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	flag("tracing", h.tracing)

	args = append(args, entryPoint)
	return append(args, req.GetArgs()...)
}

// programEnv passes config the way @pulumi/pulumi's runtime/config reads it: PULUMI_CONFIG is a JSON
// object of "<namespace>:<key>" to value, PULUMI_CONFIG_SECRET_KEYS a JSON array of the secret keys.
// Config travels in the environment, never on the command line, as it holds secrets.
func (h *nodeHost) programEnv(req *pulumirpc.RunRequest, options nodeOptions) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing secret config keys: %w", err)
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(options.typescript),
	)
	if options.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+options.tsconfig)
	}
	return env, nil
}

// beginOperation derives a context that the Cancel RPC can stop; the returned func ends it.
func (h *nodeHost) beginOperation(ctx context.Context) (context.Context, func()) {
	opCtx, cancel := context.WithCancel(ctx)
	h.mu.Lock()
	h.running[&cancel] = struct{}{}
	h.mu.Unlock()
	return opCtx, func() {
		h.mu.Lock()
		delete(h.running, &cancel)
		h.mu.Unlock()
		cancel()
	}
}

// Cancel stops the programs that are running (the engine sends it on Ctrl-C and before closing us).
func (h *nodeHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cancel := range h.running {
		(*cancel)()
	}
	return &emptypb.Empty{}, nil
}

// InstallDependencies runs `npm install` in the program's package (`pulumi install`).
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, stream pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory()
	}
	root, err := packageRoot(dir)
	if err != nil {
		return err
	}
	var sendMu sync.Mutex // exec copies stdout and stderr concurrently; a stream takes one Send at a time
	send := func(resp *pulumirpc.InstallDependenciesResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(resp)
	}
	cmd := exec.CommandContext(stream.Context(), "npm", "install")
	cmd.Dir = root
	cmd.Stdout = streamWriter(func(b []byte) error { return send(&pulumirpc.InstallDependenciesResponse{Stdout: b}) })
	cmd.Stderr = streamWriter(func(b []byte) error { return send(&pulumirpc.InstallDependenciesResponse{Stderr: b}) })
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", root, err)
	}
	return nil
}

// streamWriter sends each write as one message (a copy: exec reuses its buffer).
type streamWriter func([]byte) error

func (w streamWriter) Write(b []byte) (int, error) {
	if err := w(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// About reports the node binary and its version (`pulumi about`, update metadata).
func (h *nodeHost) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodePath, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, nodePath, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version failed: %w", nodePath, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: nodePath,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies lists the package's direct dependencies with their installed versions.
func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	deps, err := directDependencies(dir)
	if err != nil {
		return nil, err
	}
	result := make([]*pulumirpc.DependencyInfo, 0, len(deps))
	for _, d := range deps {
		result = append(result, &pulumirpc.DependencyInfo{Name: d.name, Version: d.version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: result}, nil
}
