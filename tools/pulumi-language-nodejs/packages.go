package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/shlex"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// nodeOptions are the `runtime.options` of Pulumi.yaml that this host understands.
type nodeOptions struct {
	// typescript: let @pulumi/pulumi load .ts files through ts-node (default true, as upstream).
	typescript bool
	// tsconfig: the tsconfig file ts-node uses.
	tsconfig string
	// nodeargs: extra arguments for node, split like a shell command line (as upstream).
	nodeArgs []string
}

// runtimeOptions reads the options with upstream's defaults, and refuses a value of the wrong type
// (YAML `typescript: "false"` is a string, which must not silently mean true or false).
func runtimeOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	options := info.GetOptions().AsMap()
	if v, ok := options["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, fmt.Errorf("Pulumi.yaml: the nodejs runtime option `typescript` must be true or false, not %#v", v)
		}
		opts.typescript = b
	}
	if v, ok := options["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("Pulumi.yaml: the nodejs runtime option `tsconfig` must be a file name, not %#v", v)
		}
		opts.tsconfig = s
	}
	if v, ok := options["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("Pulumi.yaml: the nodejs runtime option `nodeargs` must be a string, not %#v", v)
		}
		args, err := shlex.Split(s)
		if err != nil {
			return opts, fmt.Errorf("Pulumi.yaml: the nodejs runtime option `nodeargs` (%q): %w", s, err)
		}
		opts.nodeArgs = args
	}
	return opts, nil
}

// resolveModule resolves a module the way a program in dir would require it.
func resolveModule(dir, module string) (string, error) {
	cmd := exec.Command("node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// node's message is its "Error: Cannot find module ..." line, else the last line it printed.
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		msg := lines[len(lines)-1]
		for _, line := range lines {
			if strings.HasPrefix(line, "Error:") {
				msg = line
				break
			}
		}
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(msg))
	}
	return string(out), nil
}

// packageRoot is the nearest directory at or above dir that holds a package.json.
func packageRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no package.json in %s or any folder above it", abs)
		}
	}
}

// packageJSON holds the fields of a package.json that this host reads.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &p, nil
}

type resourcePlugin struct{ name, version, server string }

// resourcePlugins lists the installed packages (node_modules/<name> and node_modules/@scope/<name>
// of the program's package) whose package.json declares a resource plugin. No package.json or no
// node_modules means no plugins.
func resourcePlugins(dir string) ([]resourcePlugin, error) {
	root, err := packageRoot(dir)
	if err != nil {
		return nil, nil //nolint:nilerr // a program without a package has no plugin packages
	}
	var manifests []string
	for _, pattern := range []string{"node_modules/*/package.json", "node_modules/@*/*/package.json"} {
		found, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			return nil, err
		}
		manifests = append(manifests, found...)
	}
	sort.Strings(manifests)

	var plugins []resourcePlugin
	for _, manifest := range manifests {
		p, err := readPackageJSON(manifest)
		if err != nil {
			return nil, err
		}
		if !p.Pulumi.Resource {
			continue
		}
		name := p.Pulumi.Name
		if name == "" {
			// @pulumi/aws -> aws, @scope/name -> scope/name, name -> name
			name = strings.TrimPrefix(strings.TrimPrefix(p.Name, "@pulumi/"), "@")
		}
		v := p.Pulumi.Version
		if v == "" {
			v = p.Version
		}
		if v == "" {
			return nil, fmt.Errorf("%s declares a resource plugin but no version", manifest)
		}
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		plugins = append(plugins, resourcePlugin{name: name, version: v, server: p.Pulumi.Server})
	}
	return plugins, nil
}

type dependency struct{ name, version string }

// directDependencies lists dependencies and devDependencies of the program's package.json, each
// with the version installed in node_modules, or the requested range when it is not installed.
func directDependencies(dir string) ([]dependency, error) {
	root, err := packageRoot(dir)
	if err != nil {
		return nil, err
	}
	p, err := readPackageJSON(filepath.Join(root, "package.json"))
	if err != nil {
		return nil, err
	}
	wanted := map[string]string{}
	for name, r := range p.DevDependencies {
		wanted[name] = r
	}
	for name, r := range p.Dependencies {
		wanted[name] = r
	}
	deps := make([]dependency, 0, len(wanted))
	for name, requested := range wanted {
		v := requested
		installed, err := readPackageJSON(filepath.Join(root, "node_modules", name, "package.json"))
		switch {
		case err == nil:
			v = installed.Version
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		deps = append(deps, dependency{name: name, version: v})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].name < deps[j].name })
	return deps, nil
}
